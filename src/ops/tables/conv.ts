/** Op table for the conv family: one line per op. */
import type { OpDef } from '../types.js';
import { Conv } from '../conv/conv.js';
import { MaxPool } from '../conv/maxpool.js';
import { MaxUnpool } from '../conv/max-unpool.js';
import { DeformConv } from '../conv/deform-conv.js';
import { RoiAlign } from '../conv/roi-align.js';
import { AveragePool } from '../conv/averagepool.js';
import { LpPool } from '../conv/lppool.js';
import { GlobalAveragePool } from '../conv/global-average-pool.js';
import { GlobalMaxPool } from '../conv/global-max-pool.js';
import { BatchNormalization } from '../conv/batch-normalization.js';
import { ConvTranspose } from '../conv/conv-transpose.js';
import { LRN } from '../conv/lrn.js';

export const OPS: OpDef[] = [
  Conv,
  MaxPool,
  MaxUnpool,
  DeformConv,
  RoiAlign,
  AveragePool,
  LpPool,
  GlobalAveragePool,
  GlobalMaxPool,
  BatchNormalization,
  ConvTranspose,
  LRN,
];
