/**
 * A rung of the search's ladder by name: `s1f1b2+s2f4b4` (grids joined by '+', each scale, features, bits, and a
 * `c` where the decoder reads the grid's four taps side by side), a decoder width other than 32 last (`h64`).
 * Its own module so that ladder.ts and decode-cost.ts can both read names.
 */
import { LATENT_BITS, type GridOption } from './train.js';

export interface Rung {
  /** Short name for reports, e.g. "s2f16b2" (scale 2, 16 features, 2 bits; a last "c": taps concatenated). */
  name: string;
  grids: GridOption[];
  hidden: number;
}

/** The decoder width of the ladder's rungs: names leave it out, and the decode budget is set for it (decode-cost.ts). */
export const LADDER_HIDDEN = 32;

export const rungName = (r: { grids: GridOption[]; hidden: number }) => r.grids.map((g) => `s${g.scale}f${g.features}b${g.bits}${g.concat ? 'c' : ''}`).join('+') + (r.hidden !== LADDER_HIDDEN ? `h${r.hidden}` : '');

/** The rung of these grids and decoder width, named as {@link rungName} names it. */
export const rungOf = (grids: GridOption[], hidden: number): Rung => ({ name: rungName({ grids, hidden }), grids, hidden });

/**
 * A rung from its name, the form reports print (`s1f1b2+s2f4b4`: grids joined by '+', each scale, features,
 * bits, and a `c` where the decoder reads the grid's four taps side by side; a decoder width other than 32 last, `h64`), so a configuration a search chose can be trained again by
 * hand (`wgml compress --grids`).
 * @throws RangeError naming the part that is not a grid or not a shape the latent textures hold.
 */
export function parseRung(spec: string, hidden = LADDER_HIDDEN): Rung {
  // A decoder width other than 32 ends the name (`s1f1b2+s2f4b4h64`), as rungName writes it.
  const h = /^(.*?)h(\d+)$/.exec(spec.trim());
  if (h) {
    hidden = Number(h[2]);
    if (hidden < 1 || hidden > 256) throw new RangeError(`"h${h[2]}": a decoder width of ${hidden} is not within 1…256`);
    spec = h[1]!;
  }
  const grids = spec.split('+').map((part) => {
    const m = /^s(\d+)f(\d+)b(\d+)(c?)$/.exec(part.trim());
    if (!m) throw new RangeError(`"${part}" is not a grid: write s<scale>f<features>b<bits>, e.g. s2f8b2 (s2f2b4c: taps concatenated)`);
    const [scale, features, bits] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (scale < 1 || scale > 64) throw new RangeError(`"${part}": scale ${scale} is not within 1…64`);
    if (features < 1 || features > 16) throw new RangeError(`"${part}": ${features} features is not within 1…16`);
    if (!(LATENT_BITS as readonly number[]).includes(bits)) throw new RangeError(`"${part}": ${bits}-bit latents; use 2, 4 or 8`);
    if (bits === 8 && features % 4) throw new RangeError(`"${part}": 8-bit latents come 4 features to an rgba8unorm texture; give 4, 8, 12 or 16`);
    if (m[4] && scale === 1) throw new RangeError(`"${part}": a full-resolution grid's taps are the texel's own latents; concatenate (c) a grid of scale 2 or more`);
    return { scale, features, bits, ...(m[4] ? { concat: true } : {}) };
  });
  return rungOf(grids, hidden);
}

