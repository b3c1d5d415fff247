/**
 * Issue 13: the decode-cost model that decides where the ladder reads concatenated taps. The model is a least-squares
 * fit to H200 measurements (decode-cost.ts); these tests hold it to those measurements, check the work it counts
 * against the decoder's shape, and check that the ladder a material trains never estimates over the limits.
 */
import { describe, it, expect } from 'vitest';
import { DECODE_BUDGET_OUTPUTS, DECODE_LIMIT_MS, DECODE_MEASURED, ONE_TAP, decodeCostReport, decodeEstimate, decodeFits, decodeWithinLimits, decodeWork, fittedEstimate } from '../src/shaderml/material/decode-cost.js';
import { decodeLine } from '../src/cli/compress.js';
import { fullResForm, HIGH_TAPS_MAX_CHANNELS, highTapsForm, LADDER, ladderFor, LOW_CONCAT_MAX_CHANNELS, parseRung, rungBits, rungName, tapsTwinForm, twinFor, twinOf, twoBitForm } from '../src/shaderml/material/search.js';

describe('decode cost (4K decode + shade on the H200, estimated)', () => {
  it('counts the decoder\'s multiply-adds on this material and the latent textures by how they are read', () => {
    // s2f5b4c: 5 features × 4 taps + p2 = 22 inputs → 32 → 32 → C; its 5 features are two textures (rgba8 + r8).
    expect(decodeWork(parseRung('s2f5b4c'), 2)).toEqual({ macs: 22 * 32 + 32 * 32 + 32 * 2, blended: 0, concatenated: 2, fullResolution: 0 });
    // A quarter-resolution finest grid takes p4 (4 position inputs); u, v by hand takes 2.
    expect(decodeWork(parseRung('s4f16b2'), 8).macs).toBe((16 + 4) * 32 + 32 * 32 + 32 * 8);
    expect(decodeWork(parseRung('s4f16b2'), 8, 'uv').macs).toBe((16 + 2) * 32 + 32 * 32 + 32 * 8);
    expect(decodeWork(parseRung('s1f1b4+s2f2b4c+s4f4b2h64'), 6)).toEqual({ macs: (1 + 8 + 4 + 2) * 64 + 64 * 64 + 64 * 6, blended: 1, concatenated: 1, fullResolution: 1 });
  });

  it('the fit reproduces every measured rung within 0.013 ms (0.019 past 8 outputs); those measured over the limits are over', () => {
    for (const [name, f32, int8, , outputs, oneTap] of DECODE_MEASURED) {
      const fit = fittedEstimate(parseRung(name), outputs, 'uv'), tol = outputs > DECODE_BUDGET_OUTPUTS ? 0.019 : 0.013;
      if (oneTap === ONE_TAP) {
        // Not fitted: timed with the full-resolution grid read once, which the fit's four-tap rows overestimate.
        expect(fit.f32, `${name} ×${outputs} f32 (one tap)`).toBeGreaterThan(f32);
        expect(fit.int8, `${name} ×${outputs} int8 (one tap)`).toBeGreaterThan(int8!);
        continue;
      }
      expect(Math.abs(fit.f32 - f32), `${name} ×${outputs} f32 ${fit.f32}`).toBeLessThan(tol);
      if (int8 !== null) expect(Math.abs(fit.int8 - int8), `${name} ×${outputs} int8 ${fit.int8}`).toBeLessThan(tol);
      if (f32 > DECODE_LIMIT_MS.f32 || (int8 ?? 0) > DECODE_LIMIT_MS.int8) expect(decodeFits(decodeEstimate(parseRung(name), outputs, 'uv')), `${name} (${outputs} outputs) measured over`).toBe(false);
    }
  });

  it('measurements bound the ladder\'s decode where they exist, the fit with its margin elsewhere', () => {
    const within = (n: string, c: number) => decodeWithinLimits(parseRung(n), c);
    // s2f5b4c: 0.398 ms int8 measured at 4 outputs (within, where the fit with its margin is not), 0.402 at 5 (over).
    expect(decodeEstimate(parseRung('s2f5b4c'), 4)).toEqual({ f32: 0.568, int8: 0.398, measured: true });
    expect(decodeFits(fittedEstimate(parseRung('s2f5b4c'), 4))).toBe(false);
    expect([within('s2f5b4c', 3), within('s2f5b4c', 4), within('s2f5b4c', 5), within('s2f5b4c', 8)]).toEqual([true, true, false, false]);
    // The top: within at 6 outputs (0.553 / 0.395), over at 8 (0.571 / 0.404); at 7 the line between them (0.3995 int8)
    // decides, over with the margin, where the fit would keep it.
    expect([within('s1f4b4+s2f8b4', 6), within('s1f4b4+s2f8b4', 8)]).toEqual([true, false]);
    expect(decodeEstimate(parseRung('s1f4b4+s2f8b4'), 7)).toEqual({ f32: 0.562, int8: 0.3995 });
    expect([within('s1f4b4+s2f8b4', 7), decodeFits(fittedEstimate(parseRung('s1f4b4+s2f8b4'), 7))]).toEqual([false, true]);
    // Two rows of the anchor at 6 outputs (0.546 / 0.391 and 0.547 / 0.391): the report gives the slowest.
    expect(decodeEstimate(parseRung('s1f1b4+s2f2b4c+s4f4b2'), 6)).toEqual({ f32: 0.547, int8: 0.391, measured: true });
    // Not measured at 7 outputs, nor with p4's four position inputs: the fit.
    expect(decodeEstimate(parseRung('s1f1b4+s2f2b4c+s4f4b2'), 7).measured).toBeUndefined();
    expect(decodeEstimate(parseRung('s4f8b2'), 6, 'auto').measured).toBeUndefined();
  });

  it('costs grow with the decoder\'s outputs, inputs and width', () => {
    const at = (n: string, c: number) => decodeEstimate(parseRung(n), c);
    expect(at('s2f5b4c', 2).int8).toBeLessThan(at('s2f5b4c', 8).int8);
    expect(at('s2f4b4c', 6).f32).toBeLessThan(at('s2f5b4c', 6).f32);
    expect(at('s2f4b4', 6).int8).toBeLessThan(at('s2f4b4c', 6).int8);
    expect(at('s2f4b4h64', 6).f32).toBeGreaterThan(at('s2f4b4', 6).f32 + 0.2);
    // The measured over-limit rungs are over by the estimate too.
    expect(decodeFits(at('s1f1b2+s2f4b4c+s4f4b2', 8))).toBe(false);
    expect(decodeFits(decodeEstimate(parseRung('s2f5b4c'), 8, 'uv'))).toBe(false);
  });

  it('twins: a concatenated rung\'s bits as 2-bit codes, blended, where the material decodes them in time, else its blended form', () => {
    const six = parseRung('s1f1b4+s2f2b4c+s4f4b2');
    expect(twoBitForm(six)!.name).toBe('s1f1b2+s2f8b2+s4f4b2');
    expect(rungBits(twoBitForm(six)!)).toBe(rungBits(six));
    expect(twoBitForm(parseRung('s2f5b4c'))!.name).toBe('s2f10b2');
    // A 2-bit full-resolution feature's bits become four 2-bit features at half resolution.
    expect(twoBitForm(parseRung('s1f1b2+s2f2b4c+s4f4b2'))!.name).toBe('s2f8b2+s4f4b2');
    expect(twoBitForm(parseRung('s1f1b2+s2f3b4c'))!.name).toBe('s2f10b2');
    expect(twoBitForm(parseRung('s2f5b4c+s2f1b2'))).toBeUndefined();
    expect(twoBitForm(parseRung('s2f9b4c'))).toBeUndefined();
    // The 6.5-bit default's 2-bit twin (13 blended features) measured 0.407 ms int8 at 6 outputs (H100): over, so the
    // blended form is the twin there; a 2-output material affords it.
    expect(twinFor(six, 2)!.name).toBe('s1f1b2+s2f8b2+s4f4b2');
    expect(twinFor(six, 6)!.name).toBe('s1f1b4+s2f2b4+s4f4b2');
    // Twins of rungs without concatenated taps are the other split of their bits, where that decodes in time.
    expect(twinFor(parseRung('s1f1b2+s2f4b4'), 8)).toEqual(twinOf(parseRung('s1f1b2+s2f4b4')));
  });

  it('tapsTwinForm: the 6- and 7-bit mixed rungs as their twins with the half-resolution taps concatenated; nothing else has one', () => {
    const f = tapsTwinForm(parseRung('s1f1b2+s2f4b4'))!, g = tapsTwinForm(parseRung('s1f1b2+s2f5b4'))!;
    expect([f.name, rungBits(f), f.grids[1]!.concat]).toEqual(['s1f1b4+s2f2b4c', 6, true]);
    expect([g.name, rungBits(g), g.grids[1]!.concat]).toEqual(['s1f1b4+s2f3b4c', 7, true]);
    // The cases measured: a twin of 4-bit full-resolution codes whose half-resolution grid has 2 or 3 features, and no other grid.
    expect(LADDER.filter((r) => tapsTwinForm(r)).map((r) => r.name)).toEqual(['s1f1b2+s2f4b4', 's1f1b2+s2f5b4']);
    for (const r of ['s1f1b2+s2f6b4', 's1f1b2+s2f4b4+s4f4b2', 's1f1b2+s2f5b4+s4f4b2', 's1f1b4+s2f2b4', 's1f1b4+s2f2b4c', 's2f4b4c', 's2f8b2']) expect(tapsTwinForm(parseRung(r)), r).toBeUndefined();
    // Decoded within the limits at 6 and 8 outputs, as measured (0.355 / 0.363 and 0.374 / 0.381 ms int8, H100).
    for (const c of [6, 8]) expect([decodeWithinLimits(f, c), decodeWithinLimits(g, c)]).toEqual([true, true]);
    // Each pairs with the rung it replaced, for materials of more than 4 outputs.
    expect([twinFor(f, 6)!.name, twinFor(g, 6)!.name, twinFor(g, 8)!.name]).toEqual(['s1f1b2+s2f4b4', 's1f1b2+s2f5b4', 's1f1b2+s2f5b4']);
  });

  it('highTapsForm: the 8-, 9- and 10-bit mixed rungs with most bits at full resolution and 2 or 3 half-resolution features side by side', () => {
    const forms = LADDER.flatMap((r) => { const f = highTapsForm(r); return f ? [[r.name, f.name, rungBits(f) === rungBits(r), f.grids[1]!.concat]] : []; });
    expect(forms).toEqual([['s1f1b4+s2f4b4', 's1f3b2+s2f2b4c', true, true], ['s1f1b4+s2f4b4+s4f4b2', 's1f3b2+s2f2b4c+s4f4b2', true, true], ['s1f1b4+s2f5b4', 's1f3b2+s2f3b4c', true, true], ['s1f1b4+s2f6b4', 's1f2b4+s2f2b4c', true, true]]);
    expect(highTapsForm(parseRung('s1f1b4+s2f4b4h48'))!.name).toBe('s1f3b2+s2f2b4ch48');
    for (const r of ['s1f1b4+s2f5b4+s4f4b2', 's1f1b2+s2f6b4', 's1f1b4+s2f8b4', 's1f1b2+s2f5b4']) expect(highTapsForm(parseRung(r)), r).toBeUndefined();
    // Materials of 5 and 6 outputs (HIGH_TAPS_MAX_CHANNELS, where the H200 measured the gains) train them; from 7 on the
    // mixed rungs stay, with their other split as twin (at 9 outputs the layouts did not pay on lavapipe crops).
    const at = (c: number, bits: number) => ladderFor(LADDER, c).find((r) => rungBits(r) === bits)!;
    for (const c of [5, 6]) expect([8, 8.5, 9, 10].map((b) => [at(c, b).name, twinFor(at(c, b), c)!.name]), `C=${c}`).toEqual([['s1f3b2+s2f2b4c', 's1f1b4+s2f4b4'], ['s1f3b2+s2f2b4c+s4f4b2', 's1f1b4+s2f4b4+s4f4b2'], ['s1f3b2+s2f3b4c', 's1f1b4+s2f5b4'], ['s1f2b4+s2f2b4c', 's1f1b4+s2f6b4']]);
    // The rung it replaces stays up to 4 outputs and from 7.
    for (const c of [4, 7, 8]) expect(at(c, 8.5).name, `C=${c}`).toBe('s1f1b4+s2f4b4+s4f4b2');
    expect(HIGH_TAPS_MAX_CHANNELS).toBe(6);
    for (const c of [7, 8, 9]) expect([8, 9, 10].map((b) => [at(c, b).name, twinFor(at(c, b), c)!.name]), `C=${c}`).toEqual([['s1f1b4+s2f4b4', 's1f1b2+s2f6b4'], ['s1f1b4+s2f5b4', 's1f1b2+s2f7b4'], ['s1f1b4+s2f6b4', 's1f1b2+s2f8b4']]);
    // The 9-bit one measured 0.394 and 0.403 ms int8 at 6 and 8 outputs (H200): within at 6, over at 7 by the line between.
    expect([6, 7, 8].map((c) => decodeWithinLimits(parseRung('s1f3b2+s2f3b4c'), c))).toEqual([true, false, false]);
    // Up to 4 outputs the mixed rungs stay, each with its other split as twin.
    for (const c of [1, 2, 3, 4]) expect([8, 9, 10].map((b) => [at(c, b).name, twinFor(at(c, b), c)!.name]), `C=${c}`).toEqual([['s1f1b4+s2f4b4', 's1f1b2+s2f6b4'], ['s1f1b4+s2f5b4', 's1f1b2+s2f7b4'], ['s1f1b4+s2f6b4', 's1f1b2+s2f8b4']]);
    // With the quarter-resolution grid of the half-bit rungs the 9- and 10-bit ones decode over the limits by the fit (6
    // outputs); the 8.5-bit one measured 0.395 / 0.399 ms int8 at 6 / 8 outputs with its full-resolution grid read once
    // (H100, ONE_TAP rows), where the fit, whose rows read four taps, puts it over.
    for (const r of ['s1f3b2+s2f3b4c+s4f4b2', 's1f2b4+s2f2b4c+s4f4b2']) expect(decodeWithinLimits(parseRung(r), 6), r).toBe(false);
    expect([5, 6, 8].map((c) => decodeWithinLimits(parseRung('s1f3b2+s2f2b4c+s4f4b2'), c))).toEqual([true, true, true]);
    expect(decodeFits(fittedEstimate(parseRung('s1f3b2+s2f2b4c+s4f4b2'), 6))).toBe(false);
  });

  it('fullResForm: two 4-bit half-resolution features\' bits as one 2-bit feature at full resolution, at 4 and 5 bits; its twin is the 2-bit rung', () => {
    for (const [r, f] of [['s2f4b4c', 's1f1b2+s2f2b4c'], ['s2f4b4c+s4f4b2', 's1f1b2+s2f2b4c+s4f4b2'], ['s2f5b4c', 's1f1b2+s2f3b4c'], ['s2f4b4ch48', 's1f1b2+s2f2b4ch48']] as const) {
      const full = fullResForm(parseRung(r))!;
      expect(full.name).toBe(f);
      expect(parseRung(full.name)).toEqual(full);
      expect(rungBits(full)).toBe(rungBits(parseRung(r)));
      expect(twinOf(full)).toEqual(twinOf(parseRung(r)));
    }
    // Not below 4 bits (measured mixed at 3.5), not blended, not beside other grids, not at full resolution already.
    for (const r of ['s2f3b4c', 's2f3b4c+s4f4b2', 's2f8b2', 's2f4b4', 's2f4b4c+s2f1b2', 's1f1b4+s2f2b4c+s4f4b2', 's2f4b2c']) expect(fullResForm(parseRung(r)), r).toBeUndefined();
  });

  it('ladderFor: concatenated taps stay where the material\'s decode fits (and at 3–5 bits where it has few outputs), else the full-resolution form (4–5 bits) or the twin of the same bits', () => {
    for (let c = 1; c <= 8; c++) {
      const l = ladderFor(LADDER, c), kept = LADDER.filter((r) => l.some((x) => rungBits(x) === rungBits(r)));
      expect(l.map(rungBits)).toEqual(kept.map(rungBits));
      l.forEach((r, i) => {
        // A changed rung is its full-resolution form (more than 4 outputs, 4–5 bits), its twin with the taps
        // concatenated (6 and 7 bits) or its high-rate form (8–10 bits, up to 6 outputs), else its twin.
        const f = c > LOW_CONCAT_MAX_CHANNELS ? fullResForm(kept[i]!) ?? tapsTwinForm(kept[i]!) ?? (c <= HIGH_TAPS_MAX_CHANNELS ? highTapsForm(kept[i]!) : undefined) : undefined;
        if (r !== kept[i]) expect(r).toEqual(f && decodeWithinLimits(f, c) ? f : twinFor(kept[i]!, c));
        const t = twinFor(r, c);
        if (t) expect(decodeWithinLimits(t, c), `twin ${t.name} C=${c}`).toBe(true);
        expect(decodeWithinLimits(r, c), `${r.name} C=${c}`).toBe(true);
      });
    }
    const names = (c: number) => ladderFor(LADDER, c).slice(1, 8).map((r) => r.name);
    // A lone normal map (2 outputs) affords every concatenated rung; two normal maps (4) all but the 4.5-bit one, for its
    // cost; albedo + normal (5) and more read 2-bit codes at 3 and 3.5 bits (LOW_CONCAT_MAX_CHANNELS, measured better
    // with more outputs).
    expect(names(2)).toEqual(['s2f2b4c', 's2f2b4c+s4f4b2', 's2f3b4c', 's2f3b4c+s4f4b2', 's2f4b4c', 's2f4b4c+s4f4b2', 's2f5b4c']);
    expect(names(LOW_CONCAT_MAX_CHANNELS)).toEqual(['s2f2b4c', 's2f2b4c+s4f4b2', 's2f3b4c', 's2f3b4c+s4f4b2', 's2f4b4c', 's2f8b2+s4f4b2', 's2f5b4c']);
    // From 4 to 5 bits they train a 2-bit full-resolution feature beside concatenated taps (fullResForm), whose twins are
    // the 2-bit rungs they replace; at 8 outputs too (s1f1b2+s2f2b4c+s4f4b2 measured 0.398 ms int8 there).
    const full = ['s1f1b2+s2f2b4c', 's1f1b2+s2f2b4c+s4f4b2', 's1f1b2+s2f3b4c'];
    for (const c of [5, 7, 8, 9]) expect(names(c)).toEqual(['s2f2b4c', 's2f2b4c+s4f4b2', 's2f6b2', 's2f6b2+s4f4b2', ...full]);
    expect(ladderFor(LADDER, 6).slice(5, 8).map((r) => twinFor(r, 6)!.name)).toEqual(['s2f8b2', 's2f8b2+s4f4b2', 's2f10b2']);
    // At 6 bits they train the mixed rung's twin with its taps concatenated (tapsTwinForm), the mixed rung as its twin;
    // up to 4 outputs the mixed rung stays, with its blended twin.
    for (const c of [5, 6, 7, 8, 9]) expect([ladderFor(LADDER, c)[8]!.name, twinFor(ladderFor(LADDER, c)[8]!, c)!.name], `C=${c}`).toEqual(['s1f1b4+s2f2b4c', 's1f1b2+s2f4b4']);
    for (const c of [1, 2, 3, 4]) expect([ladderFor(LADDER, c)[8]!.name, twinFor(ladderFor(LADDER, c)[8]!, c)!.name], `C=${c}`).toEqual(['s1f1b2+s2f4b4', 's1f1b4+s2f2b4']);
    // And at 7 bits (+0.28…+4.85 dB over s1f1b2+s2f5b4 on six 6-output sets, -seven-h100); up to 4 outputs the mixed rung stays.
    for (const c of [5, 6, 7, 8, 9]) expect([ladderFor(LADDER, c)[10]!.name, twinFor(ladderFor(LADDER, c)[10]!, c)!.name], `C=${c}`).toEqual(['s1f1b4+s2f3b4c', 's1f1b2+s2f5b4']);
    for (const c of [1, 2, 3, 4]) expect([ladderFor(LADDER, c)[10]!.name, twinFor(ladderFor(LADDER, c)[10]!, c)!.name], `C=${c}`).toEqual(['s1f1b2+s2f5b4', 's1f1b4+s2f3b4']);
    // A wider decoder by hand is over the limits at most sizes, a cost its user chose: the layouts stay those of 32.
    const wide = ladderFor(LADDER.map((r) => ({ ...r, hidden: 48 })), 2);
    expect(wide.map((r) => rungName({ ...r, hidden: 32 }))).toEqual(ladderFor(LADDER, 2).map((r) => r.name));
    expect(wide.every((r) => r.hidden === 48)).toBe(true);
  });

  it('every rung and twin a material of 1–8 outputs trains decodes within the limits; what cannot is left out', () => {
    // The top was one half-resolution grid until 2026-12-06: s2f16b4 measured 0.416 ms int8 with 6 outputs (H100).
    expect(decodeWithinLimits(parseRung('s2f16b4'), 6)).toBe(false);
    for (let c = 1; c <= DECODE_BUDGET_OUTPUTS; c++) {
      for (const r of ladderFor(LADDER, c)) {
        expect(decodeWithinLimits(r, c), `${r.name} C=${c}`).toBe(true);
        const t = twinFor(r, c);
        if (t) expect(decodeWithinLimits(t, c), `twin ${t.name} of ${r.name} C=${c}`).toBe(true);
      }
    }
    // Twins of 2-bit full-resolution codes have two half-resolution features more than their rung: at 6 outputs
    // s1f1b2+s2f7b4+s4f4b2 (the 9.6-bit rung's) took 0.404 ms int8 and s1f1b2+s2f6b4+s4f4b2 0.401, so those rungs have none.
    expect(twinFor(parseRung('s1f1b4+s2f5b4+s4f4b2'), 6)).toBeUndefined();
    expect(twinFor(parseRung('s1f1b4+s2f4b4+s4f4b2'), 6)).toBeUndefined();
    expect(twinFor(parseRung('s1f1b4+s2f5b4+s4f4b2'), 2)!.name).toBe('s1f1b2+s2f7b4+s4f4b2');
    // At 8 outputs the 24-bit top (0.404 ms int8) and the 7.6-bit rung (by the fit) are left out; at 6 all 22 stay.
    expect(ladderFor(LADDER, 6).length).toBe(LADDER.length);
    expect(LADDER.filter((r) => !ladderFor(LADDER, 8).some((x) => rungBits(x) === rungBits(r))).map((r) => r.name)).toEqual(['s1f1b2+s2f5b4+s4f4b2', 's1f4b4+s2f8b4']);
    // A wider decoder by hand is over the limits at most sizes; the ladder leaves out only what the 32-wide one would.
    expect(ladderFor(LADDER.map((r) => ({ ...r, hidden: 64 })), 6).length).toBe(LADDER.length);
    expect(ladderFor(LADDER.map((r) => ({ ...r, hidden: 64 })), 8).length).toBe(LADDER.length - 2);
  });

  it(`past ${DECODE_BUDGET_OUTPUTS} outputs a material trains the layouts of ${DECODE_BUDGET_OUTPUTS}: its extra outputs' last layer is on top`, () => {
    const names = (c: number) => ladderFor(LADDER, c).map((r) => `${r.name}/${twinFor(r, c)?.name ?? '-'}`);
    for (const c of [9, 12, 16]) expect(names(c), `C=${c}`).toEqual(names(DECODE_BUDGET_OUTPUTS));
    // What the extra outputs cost: about 10 µs f32 and 5 µs int8 each at 4K by the fit (the last layer's 32 multiply-adds a texel).
    const r = parseRung('s1f1b4+s2f2b4c+s4f4b2'), a = decodeEstimate(r, 8), b = decodeEstimate(r, 12);
    expect((b.f32 - a.f32) / 4).toBeGreaterThan(0.007);
    expect((b.f32 - a.f32) / 4).toBeLessThan(0.011);
    expect((b.int8 - a.int8) / 4).toBeGreaterThan(0.004);
    expect((b.int8 - a.int8) / 4).toBeLessThan(0.006);
  });

  it('the compress report gives the chosen rung\'s estimate against the budget, and says why when it is over', () => {
    // The 20-bit sets' default (albedo + normal + specular, 6 outputs): measured 0.546 / 0.391 ms on the H100.
    const d = decodeCostReport(parseRung('s1f1b4+s2f2b4c+s4f4b2'), 6);
    const e = decodeEstimate(parseRung('s1f1b4+s2f2b4c+s4f4b2'), 6);
    expect(d).toEqual({ f32: +e.f32.toFixed(3), int8: +e.int8.toFixed(3), limitF32: 0.6, limitInt8: 0.4, withinLimits: true, outputs: 6, hidden: 32 });
    expect(Math.abs(d.f32 - 0.546)).toBeLessThan(0.018);
    expect(decodeLine(d)).toMatch(/^0\.5\d ms f32, 0\.3\d ms int8 estimated for a 3840×2160 decode \+ shade on an H200 \(wgml's budget 0\.6 \/ 0\.4 ms\)$/);
    // The ladder's top on a 16-output material (albedo, normal, colour specular, emissive, five scalars): over, and why.
    const big = decodeCostReport(parseRung('s1f4b4+s2f8b4'), 16);
    expect(big.withinLimits).toBe(false);
    expect(big.int8).toBeGreaterThan(DECODE_LIMIT_MS.int8);
    expect(decodeLine(big)).toContain('over it: its 16 decoder outputs are more than the 8 the budget is set for');
    // By hand, at 8 outputs: the old top (measured 0.601 / 0.416 ms) is over for another reason; a wider decoder says so.
    expect(decodeLine(decodeCostReport(parseRung('s2f16b4'), 8))).toContain('over it: a smaller configuration');
    expect(decodeLine(decodeCostReport(parseRung('s1f1b2+s2f4b4h64'), 6))).toContain("over it: the decoder is 64 wide, the ladder's 32; the estimate is fitted on 32-wide decoders, this one is 64");
  });
});
