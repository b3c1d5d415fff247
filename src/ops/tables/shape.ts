/** Op table for the shape family: one line per op. */
import type { OpDef } from '../types.js';
import { Reshape } from '../shape/reshape.js';
import { Flatten } from '../shape/flatten.js';
import { Squeeze } from '../shape/squeeze.js';
import { Unsqueeze } from '../shape/unsqueeze.js';
import { Shape } from '../shape/shape.js';
import { Size } from '../shape/size.js';
import { Constant } from '../shape/constant.js';
import { ConstantOfShape } from '../shape/constant-of-shape.js';
import { Range } from '../shape/range.js';
import { Transpose } from '../shape/transpose.js';
import { Concat } from '../shape/concat.js';
import { Split } from '../shape/split.js';
import { Slice } from '../shape/slice.js';
import { Gather } from '../shape/gather.js';
import { GatherElements } from '../shape/gather-elements.js';
import { Expand } from '../shape/expand.js';
import { Tile } from '../shape/tile.js';
import { Pad } from '../shape/pad.js';
import { DepthToSpace } from '../shape/depth-to-space.js';
import { SpaceToDepth } from '../shape/space-to-depth.js';
import { Resize } from '../shape/resize.js';
import { GridSample } from '../shape/grid-sample.js';
import { Upsample } from '../shape/upsample.js';
import { Trilu } from '../shape/trilu.js';
import { CumSum } from '../shape/cumsum.js';
import { EyeLike } from '../shape/eye-like.js';
import { OneHot } from '../shape/one-hot.js';
import { GatherND } from '../shape/gather-nd.js';
import { ScatterElements } from '../shape/scatter-elements.js';
import { ScatterND } from '../shape/scatter-nd.js';
import { Scatter } from '../shape/scatter.js';
import { LegacyBroadcast } from '../shape/legacy-broadcast.js';
import { ReverseSequence } from '../shape/reverse-sequence.js';
import { CenterCropPad } from '../shape/center-crop-pad.js';
import { AffineGrid } from '../shape/affine-grid.js';
import { Col2Im } from '../shape/col2im.js';

export const OPS: OpDef[] = [
  Reshape,
  Flatten,
  Squeeze,
  Unsqueeze,
  Shape,
  Size,
  Constant,
  ConstantOfShape,
  Range,
  Transpose,
  Concat,
  Split,
  Slice,
  Gather,
  GatherElements,
  Expand,
  Tile,
  Pad,
  DepthToSpace,
  SpaceToDepth,
  Resize,
  GridSample,
  Upsample,
  Trilu,
  CumSum,
  EyeLike,
  OneHot,
  GatherND,
  ScatterElements,
  ScatterND,
  Scatter,
  LegacyBroadcast,
  ReverseSequence,
  CenterCropPad,
  AffineGrid,
  Col2Im,
];
