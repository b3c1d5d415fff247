/**
 * `wgml compress <folder> -o material.wgmat`: neural material compression of a folder of textures.
 * Sizes: `--psnr P` searches the ladder of ladder.ts for the smallest configuration whose every
 * texture reaches P dB; `--bits B` takes the largest within B bits per texel; by default, the largest
 * within a third of the block-compressed footprint. `--scale/--features/--latent-bits` pin one by hand.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { requestDevice } from '../gpu/device.js';
import { loadMaterialFolder, bcTextureBytes, READ_FORMATS, type MaterialTargets } from '../shaderml/material/textures.js';
import { BALANCE_POWER, compressMaterial, LATENT_BITS, REFINE_DURING, STE_FROM, type CompressedMaterial, type GridOption, type PhaseSeconds } from '../shaderml/material/train.js';
import { decodeMaterialGpu, encodeWgmat, loadMaterial } from '../shaderml/material/wgmat.js';
import { decoderBytes, materialReport, type MaterialReport } from '../shaderml/material/report.js';
import { ADAM_BETA2 } from '../shaderml/material/trainer.js';
import { DECODE_BUDGET_OUTPUTS, decodeCostReport, type DecodeCostReport } from '../shaderml/material/decode-cost.js';
import { footprintBits, LADDER, LADDER_HIDDEN, ladderFor, NEAR_MISS_DB, parseRung, searchFinalSteps, searchSeconds, trainingSteps, twinFor, rungForBits, rungOf, runSearch, SINGLE_GRID_LADDER, type Rung, type TrainOptions } from '../shaderml/material/search.js';
import { parsePosition, type PositionChoice } from '../shaderml/material/position.js';
import { action, assertWritable, numberOption, writeBytes } from './common.js';
import { Progress } from './progress.js';

export interface SearchReport {
  mode: 'psnr' | 'bits' | 'default' | 'manual';
  /** --psnr target (dB) or --bits budget. */
  target?: number;
  /** Whether the chosen configuration reaches --psnr on every texture. */
  reached?: boolean;
  chosen: string;
  /**
   * Default or --bits: the budget (bits per texel) that even the ladder's smallest configuration, the one chosen, is
   * over at this size (a small material, where the decoder's weights alone can outweigh a third of BC).
   */
  overBudget?: number;
  /** The seconds the trainings were held to (--time-limit; not for a configuration by hand), and the steps left out to stay within them. */
  timeLimit?: number;
  leftOut?: string[];
  /** `steps`: a multiple of the material's training steps (--psnr's near miss and last training, search.ts searchFinalSteps). */
  /**
   * `refine`: the channel-weighted PSNR of the decode (the objective of code refinement, refine.ts) before and after
   * each round of sweeps, [before, after]: any rounds inside training (`--refine-during`, with latents below 8
   * bits), then the round before the decoder's fine-tuning and the one after it, the last two.
   */
  /** `phases`: where the trial's seconds went (train.ts PhaseSeconds), and scoring its decode. */
  trials: { rung: string; bitsPerTexel: number; psnr: number[]; minPsnr: number; seconds: number; pass?: boolean; steps?: number; refine?: [number, number][]; phases: TrialSeconds }[];
}

/** A trial's wall seconds by phase: compressMaterial's, then decoding and scoring the result. */
export type TrialSeconds = PhaseSeconds & { score: number };

/** The report `wgml compress` prints: the material's, the search's, and the folder entries it did not read. */
type CompressReport = MaterialReport & { search?: SearchReport; skipped?: string[]; mipsNote?: string; warning?: string; advice?: string; decodeEstimateMs: DecodeCostReport };

/** The weakest texture under this PSNR gets the advice below: about where block compression's weakest texture sits on most sets. */
export const ADVICE_DB = 35;

/**
 * Said when a size-led run (the default's third of BC, or --bits) leaves a texture under ADVICE_DB: content
 * with texel-scale noise needs more bits than the budget gives, and --psnr is the mode that asks for a quality.
 */
export function qualityAdvice(r: MaterialReport, mode: SearchReport['mode'], overBudget = false): string | undefined {
  if (mode !== 'default' && mode !== 'bits') return undefined;
  const weakest = r.textures.reduce((a, t) => (t.psnr < a.psnr ? t : a));
  if (weakest.psnr >= ADVICE_DB) return undefined;
  return `texture '${weakest.name}' reaches ${weakest.psnr.toFixed(2)} dB ${overBudget ? 'with the smallest configuration' : `within ${mode === 'bits' ? 'the --bits budget' : 'a third of the BC footprint'}`}; \`--psnr ${ADVICE_DB}\` trains larger configurations until every texture reaches ${ADVICE_DB} dB`;
}

/**
 * Said when the neural material is not smaller than block compression: on small materials the decoder's weights,
 * stored once, outweigh what the latents save (a 64×64 set of albedo, normal and roughness pays 3.5 KB of decoder against 12 KB of BC).
 */
export function sizeWarning(r: MaterialReport): string | undefined {
  if (r.bcRatio >= 1) return undefined;
  return `the neural material (${r.bytes} B: decoder ${r.decoderBytes} B, latents ${r.latentBytes} B) is larger than its block-compressed footprint (${r.bcBytes} B) at ${r.width}×${r.height}; BC is the smaller choice here`;
}

/** What code refinement gained on the chosen trial (its weighted PSNR, the objective it lowers), as a report line. */
function refineLine(s: SearchReport | undefined): string {
  const t = s?.trials.find((x) => x.rung === s.chosen.split(' ')[0]) ?? s?.trials[0], r = t?.refine;
  if (!r?.length) return '';
  const gain = (k: number) => `${r[k]![1] - r[k]![0] >= 0 ? '+' : ''}${(r[k]![1] - r[k]![0]).toFixed(2)} dB`;
  // The last two rounds are the ones around the decoder's fine-tuning; any before them ran inside training.
  const during = r.slice(0, Math.max(0, r.length - 2)).map((_, k) => gain(k));
  const last = r.length - 2;
  return `\n  code refinement  ${during.length ? `${during.join(', ')} during training, ` : ''}${gain(Math.max(0, last))} before the decoder's fine-tuning${r.length > 1 ? `, ${gain(last + 1)} after it` : ''} (channel-weighted PSNR of the decode)`;
}

/**
 * The report's `decode` line: what the chosen configuration costs a frame, estimated (decode-cost.ts), and why when it
 * is over the budget the ladder keeps: a wider decoder, more outputs than the budget is set for, or a configuration by hand.
 */
export function decodeLine(d: DecodeCostReport): string {
  const over = d.withinLimits ? '' : d.hidden !== LADDER_HIDDEN ? `, over it: the decoder is ${d.hidden} wide, the ladder's ${LADDER_HIDDEN}`
    : d.outputs > DECODE_BUDGET_OUTPUTS ? `, over it: its ${d.outputs} decoder outputs are more than the ${DECODE_BUDGET_OUTPUTS} the budget is set for`
    : ', over it: a smaller configuration (--bits, --psnr) decodes in less';
  const wide = d.hidden === LADDER_HIDDEN ? '' : `; the estimate is fitted on ${LADDER_HIDDEN}-wide decoders, this one is ${d.hidden}`;
  return `${d.f32.toFixed(2)} ms f32, ${d.int8.toFixed(2)} ms int8 estimated for a 3840×2160 decode + shade on an H200 (wgml's budget ${d.limitF32} / ${d.limitInt8} ms${over}${wide})`;
}

/** Why the search chose what it chose, by mode, for the report's `chose` line. */
function choiceReason(s: SearchReport, r: MaterialReport): string {
  if (s.mode === 'psnr') return `smallest of the ladder with every texture ≥ ${s.target} dB${s.reached ? '' : ': NOT REACHED, largest tried'}`;
  if (s.overBudget !== undefined) return `the smallest configuration; at ${r.width}×${r.height} none fits ${s.mode === 'bits' ? `--bits ${s.target}` : `a third of the BC footprint, ${s.overBudget.toFixed(2)} bits/texel`}`;
  return s.mode === 'bits' ? `largest within ${s.target} bits/texel` : s.mode === 'default' ? 'largest within a third of the BC footprint' : 'by hand';
}

function printReport(r: CompressReport, out: string): void {
  const rows = r.textures.map((t) => `  ${t.name.padEnd(16)} ${t.kind.padEnd(7)} ${String(t.channels).padStart(2)} ch  ${t.psnr.toFixed(2).padStart(6)} dB   ${t.bcFormat} ${t.bcBytes} B${t.note ? `\n    ${t.name}: ${t.note}` : ''}`);
  const s = r.search;
  // Every entry of the folder is accounted for: a texture row, or skipped here.
  console.log(`${out}: ${r.width}×${r.height}, ${r.textures.length} texture${r.textures.length === 1 ? '' : 's'}
${rows.join('\n')}${r.skipped ? `
  skipped          ${r.skipped.join(', ')} (not ${READ_FORMATS} images: other files, dot files, folders)` : ''}
  overall          PSNR ${r.psnr.toFixed(2)} dB
  latents          ${r.grids.map((g) => `${g.width}×${g.height}×${g.features} at ${g.bits} bits${g.concat ? ' (four taps side by side)' : ''}`).join(' + ')}
  neural           ${r.bytes} B (latents ${r.latentBytes} B + decoder ${r.decoderBytes} B), ${r.bitsPerTexel.toFixed(2)} bits/texel stored, ${r.gpuBitsPerTexel.toFixed(2)} on the GPU (${r.gpuBitsPerTexelPacked.toFixed(2)} loaded with latents: 'packed', ${r.gpuBitsPerTexelBalanced.toFixed(2)} with 'balanced'); file ${r.fileBytes} B
  training         ${r.trainSeconds?.toFixed(1)} s${s?.trials.length ? ` (${s.trials.length} trial${s.trials.length > 1 ? 's' : ''})` : ''}${refineLine(s)}
  block-compressed ${r.bcBytes} B, ${r.bcBitsPerTexel.toFixed(2)} bits/texel  → ratio ${r.bcRatio.toFixed(2)}× (above 1: neural is smaller)
  decode           ${decodeLine(r.decodeEstimateMs)}${r.warning ? `
  warning          ${r.warning}` : ''}${r.advice ? `
  advice           ${r.advice}` : ''}${r.mipPsnr ? `
  mips             ${r.mipPsnr.length} levels, PSNR ${r.mipPsnr.map((p) => p.toFixed(1)).join(' / ')} dB; with mips ${r.bitsPerTexelWithMips!.toFixed(2)} bits/texel → ratio ${r.bcRatioWithMips!.toFixed(2)}× to BC with mips` : r.mipsNote ? `
  mips             ${r.mipsNote}` : ''}${s ? `
  chose            ${s.chosen} (${choiceReason(s, r)}${s.mode !== 'psnr' && s.trials.length > 1 ? ', or its twin (the same bits laid out another way: split the other way between full and half resolution, or as 2-bit codes, blended): the better weakest texture' : ''})${s.trials.length > 1 ? `
  trials           ${s.trials.map((t) => `${t.rung}${t.steps ? ` (×${t.steps} steps)` : ''} ${t.bitsPerTexel.toFixed(2)} bpt min ${t.minPsnr.toFixed(2)} dB${t.pass === undefined ? '' : t.pass ? ' ✓' : ' ✗'}`).join('; ')}` : ''}${s.leftOut?.length ? `
  time limit       ${s.timeLimit!.toFixed(0)} s (--time-limit): left out ${s.leftOut.join('; ')}` : ''}` : ''}`);
}

/** Bits per texel of the BC7/BC5/BC4 footprint of a material's textures (4×4 blocks: sides padded to a multiple of 4). */
export const bcBitsOf = (m: MaterialTargets) => (8 * m.textures.reduce((a, t) => a + bcTextureBytes(t, m.width, m.height), 0)) / (m.width * m.height);

export function register(program: Command): void {
  program.command('compress')
    .description('compress a folder of material textures (PNG, JPEG, TGA) into latent textures + a tiny decoder MLP (.wgmat)')
    .argument('<folder>', 'folder of same-size PNG, JPEG or TGA textures (albedo, normal, roughness…)')
    .requiredOption('-o, --out <file>', 'output .wgmat')
    .option('--normal <names...>', 'texture names (file names without the extension) to treat as normal maps, exactly (none: no normal maps); default: by name (_n, _nm, _norm, _normal, _local, _ddn…) or by content (also two-channel maps whose blue is 0, 127, 128 or 255 throughout). x and y are kept as stored, so OpenGL (green up) and DirectX (green down) maps both round-trip; render-material lights them as OpenGL')
    .option('--psnr <dB>', 'find the smallest configuration whose every texture reaches this PSNR (trains several)')
    .option('--bits <n>', 'budget in stored bits per texel (all textures together): the largest configuration within it')
    .option('--scale <n>', 'by hand: latent resolution = texture size / n (default 2)')
    .option('--features <n>', 'by hand: latent features, 1–16 (a multiple of 4 with 8-bit latents; default 12)')
    .option('--latent-bits <n>', 'by hand: bits per latent code, 2, 4 or 8 (default 2)')
    .option('--grids <spec>', 'by hand, several latent grids: the names reports print, joined by +, e.g. s1f1b2+s2f4b4 (one full-resolution feature of 2-bit codes beside 4 of 4-bit codes at half resolution); a grid name ending in c, s2f2b4c, has the decoder read its four taps side by side instead of blended')
    .option('--hidden <n>', 'decoder hidden width', String(LADDER_HIDDEN))
    .option('--position <kind>', 'what the decoder is told of a texel\'s position: p2 (which side of a half-resolution latent it lies on, no extra cost), p4 (its place under a quarter-resolution latent, two inputs more), uv (its place in the material, the first format), auto (p2, or p4 where the finest grid is at quarter resolution)', 'auto')
    .option('--steps <n>', 'training steps before quantization (default: each --psnr trial 8000 up to 512×512, ×√(texels/512²) above, at most 32000, and the pick trained again with eight times that, at most 128000; one configuration, by default, --bits or by hand, eight times that)')
    .option('--finetune <n>', 'decoder fine-tuning steps after quantization (default steps/5)')
    .option('--refine <sweeps>', 'sweeps of code refinement after quantization: every latent code tried one step up and down against the decoded error and kept where better, before the decoder is fine-tuned (and a quarter as many after; 0: off)', '8')
    .option('--refine-during <fractions>', 'where in training codes are also refined (half the sweeps) and training goes on from them: fractions of the steps above 0 and below 1, joined by commas, e.g. 0.75,0.85,0.95 (0.05–0.07 dB more on the H200 for a third more training time); none: off', REFINE_DURING.length ? REFINE_DURING.join(',') : 'none')
    .option('--ste-from <fraction>', 'with 2- and 4-bit latents: the fraction of the training steps after which latents are read rounded (straight-through) instead of with noise (1: noise to the end, then quantization, code refinement and fine-tuning)', String(STE_FROM))
    .option('--time-limit <s>', 'the seconds the trainings may take together (default 60 up to 512², 300 at 2048², between and above by texels^0.58): a step that would pass it is left out and the report says which (--psnr: a trial once a size passed, a twin, a near miss, the last training; the default and --bits: the twin); none: no limit')
    .option('--near-miss <dB>', 'with --psnr: a trial that missed the target by at most this much counts as a near miss (bisected below when it is the first, trained again with the final steps when it lies below the pick)', String(NEAR_MISS_DB))
    .option('--batch <n>', 'texels per step', '65536')
    .option('--lr <n>', 'decoder learning rate', '0.01')
    .option('--lr-latent <n>', 'latent learning rate', '0.05')
    .option('--adam-beta2 <b>', 'Adam\'s second-moment decay', String(ADAM_BETA2))
    .option('--no-balance', 'plain MSE over all channels instead of per-texture weights that follow the weakest texture')
    .option('--balance-power <p>', 'how hard the per-texture weights push: a texture weighs (its error / the mean error)^p, 0.25–4× (2 and 4 measured worse on the H100)', String(BALANCE_POWER))
    .option('--no-qat', 'train 2/4-bit latents in float and only quantize afterwards (for comparison)')
    .option('--no-twins', 'train only the ladder\'s layout at the chosen size, not also its twin (the same bits laid out another way: split the other way between the full- and half-resolution grids, or as 2-bit codes instead of concatenated 4-bit ones; ladder.ts twinOf): halves the time of --bits and the default, one or two trials less for --psnr')
    .option('--seed <n>', 'initialisation seed', '1')
    .option('--mips', 'also train mip levels with latents of their own (trilinear decode of minified surfaces; ~1/3 more bytes)')
    .option('--mip-weight <w>', 'with --mips: loss weight of the mip levels against level 0', '0.25')
    .option('--json', 'print the report as JSON')
    .action(action(async (folder: string, o: { out: string; normal?: string[]; psnr?: string; bits?: string; scale?: string; features?: string; latentBits?: string; grids?: string; steps?: string; finetune?: string; refine: string; refineDuring: string; steFrom: string; nearMiss: string; timeLimit?: string; batch: string; seed: string; hidden: string; position: string; lr: string; lrLatent: string; adamBeta2: string; balance: boolean; balancePower: string; qat: boolean; twins: boolean; mips?: boolean; mipWeight: string; json?: boolean }) => {
      const batch = numberOption('--batch', o.batch, { min: 1, example: '65536' }), seed = numberOption('--seed', o.seed);
      const nearMiss = numberOption('--near-miss', o.nearMiss, { min: 0, real: true, example: String(NEAR_MISS_DB) });
      const timeLimitGiven = o.timeLimit === undefined || o.timeLimit === 'none' ? undefined : numberOption('--time-limit', o.timeLimit, { min: 1, real: true, example: '60' });
      const hidden = numberOption('--hidden', o.hidden, { min: 1, max: 256, example: '32' });
      const lr = numberOption('--lr', o.lr, { min: 0, real: true, example: '0.01' }), lrLatent = numberOption('--lr-latent', o.lrLatent, { min: 0, real: true, example: '0.05' });
      const refine = numberOption('--refine', o.refine, { min: 0, max: 100, example: '8' });
      const steFrom = numberOption('--ste-from', o.steFrom, { min: 0, max: 1, real: true, example: '0.7' });
      const refineDuring = String(o.refineDuring) === 'none' ? [] : String(o.refineDuring).split(',').map((f) => numberOption('--refine-during', f.trim(), { min: 0.001, max: 0.999, real: true, example: '0.75,0.85,0.95' }));
      const mipWeight = numberOption('--mip-weight', o.mipWeight, { min: 0, real: true, example: '0.25' });
      const balancePower = numberOption('--balance-power', o.balancePower, { min: 0, max: 16, real: true, example: '2' });
      const adamBeta2 = numberOption('--adam-beta2', o.adamBeta2, { min: 0, max: 0.9999, real: true, example: '0.95' });
      let position: PositionChoice;
      try { position = parsePosition(String(o.position), true); } catch (e) { throw new UsageError(`--position ${o.position}: ${(e as Error).message}`, 'give --position auto, p2, p4 or uv'); }
      const manual = o.scale !== undefined || o.features !== undefined || o.latentBits !== undefined;
      if ([o.psnr !== undefined, o.bits !== undefined, manual, o.grids !== undefined].filter(Boolean).length > 1) {
        throw new UsageError('--psnr, --bits, --grids and --scale/--features/--latent-bits each choose the configuration', 'give one of them: --psnr 38 (smallest that reaches 38 dB), --bits 6 (largest within 6 bits/texel), --grids s1f1b2+s2f4b4 or the three by hand');
      }
      const psnr = o.psnr === undefined ? undefined : numberOption('--psnr', o.psnr, { min: 10, max: 99, real: true, example: '38' });
      const bits = o.bits === undefined ? undefined : numberOption('--bits', o.bits, { min: 0.01, max: 64, real: true, example: '6' });
      let hand: Rung | undefined;
      if (manual) {
        const scale = numberOption('--scale', o.scale ?? '2', { min: 1, max: 64, example: '2' });
        const features = numberOption('--features', o.features ?? '12', { min: 1, max: 16, example: '12' });
        const lb = numberOption('--latent-bits', o.latentBits ?? '2', { min: 2, max: 8, example: '2' });
        if (!(LATENT_BITS as readonly number[]).includes(lb)) throw new UsageError(`--latent-bits ${lb} is not 2, 4 or 8`, 'codes of 2 or 4 bits pack whole into 16/32-bit texels and 8 bits fill rgba8unorm: give --latent-bits 2, 4 or 8');
        if (lb === 8 && features % 4) throw new UsageError(`--features ${features} with 8-bit latents is not a multiple of 4`, 'RGBA8 latent textures hold 4 features each: give --features 4, 8, 12 or 16 (2- and 4-bit latents take any count)');
        const grids: GridOption[] = [{ scale, features, bits: lb }];
        hand = rungOf(grids, hidden);
      }
      if (o.grids !== undefined) {
        if (o.mips) throw new UsageError('--grids with --mips', 'mip levels are trained for single-grid materials: give one grid (--scale/--features/--latent-bits) or drop --mips');
        try { hand = parseRung(String(o.grids), hidden); } catch (e) { throw new UsageError(`--grids ${o.grids}: ${(e as Error).message}`, 'write the grids as reports name them, e.g. --grids s1f1b2+s2f4b4'); }
      }
      const m = loadMaterialFolder(folder, o.normal);
      const steps = o.steps === undefined ? trainingSteps(m.width, m.height, psnr === undefined) : numberOption('--steps', o.steps, { min: 1, example: '8000' });
      const fine = o.finetune === undefined ? Math.round(steps / 5) : numberOption('--finetune', o.finetune, { min: 0, example: '800' });
      await assertWritable(o.out, 'material (-o)');
      const device = await requestDevice({ quiet: !!o.json });
      // On a terminal a bar with ETA; in a pipe or log a line every few seconds (training takes minutes).
      const progress = new Progress('compress', { delay: 0 });
      const t0 = performance.now();
      // Mip levels are trained for single-grid materials: with --mips the search climbs the single-grid rungs.
      // Concatenated taps only where this material's decode fits the limits (ladderFor).
      const ladder = o.mips ? SINGLE_GRID_LADDER.map((r) => ({ ...r, hidden })) : ladderFor(LADDER.map((r) => ({ ...r, hidden })), m.channels, position);
      const fp = (r: Rung) => footprintBits(r, m.width, m.height, m.channels, position);
      const train = async (r: Rung, label: string, opts: TrainOptions = {}) => {
        const [g0, ...coarse] = r.grids, k = opts.steps ?? 1;
        const ts = performance.now(), refined: number[] = [];
        let spent: PhaseSeconds = { setup: 0, train: 0, refine: 0, finetune: 0 };
        const phases = { train: 'train', refine: 'refine codes', finetune: 'fine-tune (quantized latents)' };
        const c = await compressMaterial(device, m, {
          scale: g0!.scale, features: g0!.features, bits: g0!.bits, concat: g0!.concat, coarse, hidden: r.hidden, position, steps: steps * k, fineTuneSteps: fine * k, refine, refineDuring, steFrom, batch, seed, lrMlp: lr, lrLatent, adamBeta2, balance: o.balance, balancePower, ...(o.qat ? {} : { qat: false }),
          mips: o.mips ? { weight: mipWeight } : false,
          onSeconds: (t) => { spent = t; },
          onProgress: (phase, step, total, loss, p) => {
            if (phase === 'refine') refined.push(p);
            progress.update(`${label}${phases[phase]}`, step, total, `loss ${loss.toExponential(2)}, PSNR ${p.toFixed(2)} dB`);
          },
        });
        // Scored as a renderer decodes it (on the GPU: the CPU reference takes seconds a 512² trial).
        const tScore = performance.now();
        const loaded = loadMaterial(device, encodeWgmat(c, m.textures));
        const rep = materialReport(m, c, decoderBytes(c), await decodeMaterialGpu(device, loaded));
        loaded.latentTextures.forEach((t) => t.destroy());
        const rounds = Array.from({ length: refined.length >> 1 }, (_, k) => [+refined[2 * k]!.toFixed(3), +refined[2 * k + 1]!.toFixed(3)] as [number, number]);
        const round2 = (v: number) => +v.toFixed(2);
        const secs: TrialSeconds = { setup: round2(spent.setup), train: round2(spent.train), refine: round2(spent.refine), finetune: round2(spent.finetune), score: round2((performance.now() - tScore) / 1000) };
        return { c, rep, seconds: (performance.now() - ts) / 1000, stepSeconds: spent.train + spent.finetune, rounds, secs, k };
      };
      const mode: SearchReport['mode'] = psnr !== undefined ? 'psnr' : bits !== undefined ? 'bits' : hand ? 'manual' : 'default';
      let found: Awaited<ReturnType<typeof runSearch<{ c: CompressedMaterial; rep: MaterialReport; rounds: [number, number][]; secs: TrialSeconds; k: number }>>>;
      // --psnr (never with --bits) starts near a third of the BC footprint, where the default lands, then bisects.
      const budget = bits ?? bcBitsOf(m) / 3;
      const timeLimit = hand || o.timeLimit === 'none' ? undefined : timeLimitGiven ?? searchSeconds(m.width, m.height);
      try {
        const start = hand ?? rungForBits(ladder, budget, m.width, m.height, m.channels, position);
        found = await runSearch({
          ladder, start, target: psnr, twins: o.twins && !hand, footprint: fp, budget, twin: (r) => twinFor(r, m.channels, position), finalSteps: searchFinalSteps(steps), nearMiss, timeLimit,
          train: async (r, label, opts) => { const t = await train(r, label, opts); return { psnr: t.rep.textures.map((x) => x.psnr), seconds: t.seconds, stepSeconds: t.stepSeconds, result: t }; },
        });
      } finally { progress.stop(); }
      const r = found.chosen, best = found.result;
      const search: SearchReport = {
        mode, chosen: r.name, ...(psnr !== undefined ? { target: psnr, reached: found.reached } : bits !== undefined ? { target: bits } : {}),
        ...(timeLimit !== undefined ? { timeLimit } : {}), ...(found.skipped ? { leftOut: found.skipped } : {}),
        trials: found.trials.map((t) => ({ rung: t.rung.name, bitsPerTexel: t.result.rep.bitsPerTexel, psnr: t.psnr, minPsnr: Math.min(...t.psnr), seconds: t.seconds, ...(t.pass !== undefined ? { pass: t.pass } : {}), ...(t.steps ? { steps: t.steps } : {}), ...(t.result.rounds.length ? { refine: t.result.rounds } : {}), phases: t.result.secs })),
      };
      if (mode !== 'psnr' && mode !== 'manual' && fp(r) > budget + 1e-9) search.overBudget = budget;
      const warning = sizeWarning(best.rep);
      const advice = qualityAdvice(best.rep, mode, search.overBudget !== undefined);
      const report: CompressReport = {
        ...best.rep, trainSeconds: (performance.now() - t0) / 1000, search, decodeEstimateMs: decodeCostReport(r, m.channels, position),
        ...(m.skipped ? { skipped: m.skipped } : {}), ...(warning ? { warning } : {}), ...(advice ? { advice } : {}),
      };
      // --mips on a material under 8×8 trains no level (mips.ts mipLevels stops at 4×4): said, not left out of the report.
      if (o.mips && !best.c.mips?.length) report.mipsNote = `none trained: a ${m.width}×${m.height} material has no mip level of 4×4 texels or more below level 0`;
      const bytes = encodeWgmat(best.c, m.textures, { psnr: report.psnr, textures: report.textures.map((t) => ({ name: t.name, psnr: t.psnr })), steps: steps * best.k, finetune: fine * best.k, refine, refineDuring, config: search.chosen });
      await writeBytes(o.out, bytes, 'material (-o)');
      report.fileBytes = bytes.length;
      if (o.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report, o.out);
      device.destroy();
    }));
}
