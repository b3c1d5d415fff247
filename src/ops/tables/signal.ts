/** Op table for the signal family: one line per op. */
import type { OpDef } from '../types.js';
import { DFT } from '../signal/dft.js';
import { STFT } from '../signal/stft.js';
import { HannWindow, HammingWindow, BlackmanWindow } from '../signal/windows.js';
import { MelWeightMatrix } from '../signal/mel-weight-matrix.js';

export const OPS: OpDef[] = [
  DFT,
  STFT,
  HannWindow,
  HammingWindow,
  BlackmanWindow,
  MelWeightMatrix,
];
