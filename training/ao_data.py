"""The AO dataset as train_ao.py reads it: the directories of `dataset.js --shard I/N` processes (or one), as one.

With `grow=True` the training split may still be being written (training/h200.sh STREAM=1 renders new scenes
for the whole training time): `GrowingData.poll()` appends the samples written since the last call. dataset.js
writes each .npy sample by sample and rewrites the header's count only at the end, so a growing file's count
comes from its size: a sample is complete once its target (written after its input) is.
"""
import json
import os
import time

import numpy as np
import torch

# What must agree between shards, or the model would learn a mixture.
SAME = ('size', 'channels', 'focalPx', 'rays', 'views', 'scenes')


def npy_layout(path):
    """(header bytes, one sample's shape) of a float16 .npy whose first axis is the sample."""
    with open(path, 'rb') as f:
        head = f.read(10)
        if head[:6] != b'\x93NUMPY' or head[6] != 1:
            raise SystemExit(f'{path}: not a version 1 .npy file')
        n = int.from_bytes(head[8:10], 'little')
        header = f.read(n).decode('latin1')
    d = eval(header, {'__builtins__': {}}, {'False': False, 'True': True})  # numpy's own format: a dict literal
    if d['descr'] != '<f2' or d['fortran_order']:
        raise SystemExit(f'{path}: {d["descr"]} (fortran order {d["fortran_order"]}); dataset.js writes C-order <f2')
    return 10 + n, tuple(d['shape'][1:])


def complete_samples(path):
    off, shape = npy_layout(path)
    per = int(np.prod(shape)) * 2
    return (os.path.getsize(path) - off) // per


def read_samples(path, start, end):
    off, shape = npy_layout(path)
    per = int(np.prod(shape))
    a = np.fromfile(path, dtype='<f2', count=(end - start) * per, offset=off + start * per * 2)
    return torch.from_numpy(a.reshape((end - start,) + shape))


def wait_for_meta(dirs, timeout):
    """meta.json appears in a shard's directory once its held-out split is complete (dataset.ts)."""
    t0 = time.time()
    while True:
        missing = [d for d in dirs if not os.path.exists(os.path.join(d, 'meta.json'))]
        if not missing:
            return
        if time.time() - t0 > timeout:
            raise SystemExit(f'--data: no meta.json in {", ".join(missing)} after {timeout:.0f} s: did dataset.js start?')
        time.sleep(1)


class GrowingData:
    """The training split on the device, grown by poll(); the held-out split, fixed from the start."""

    def __init__(self, dirs, device, grow=False, wait=300.0, in_channels=0):
        self.dirs, self.device, self.grow, self.cin = dirs, device, grow, in_channels
        if grow:
            wait_for_meta(dirs, wait)
        self.metas = [json.load(open(os.path.join(d, 'meta.json'))) for d in dirs]
        for d, m in zip(dirs[1:], self.metas[1:]):
            for k in SAME:
                if m.get(k) != self.metas[0].get(k):
                    raise SystemExit(f'--data: {d} has {k} {m.get(k)!r}, {dirs[0]} has {self.metas[0].get(k)!r}; shards of one dataset must match')
        # The held-out split is complete before meta.json is first written, so np.load reads its header's count.
        load = lambda d, n: torch.from_numpy(np.load(os.path.join(d, n)))
        self.xte = torch.cat([load(d, 'test_x.npy') for d in dirs])
        self.yte = torch.cat([load(d, 'test_y.npy') for d in dirs])
        if len(self.xte) == 0:
            raise SystemExit(f'--data {",".join(dirs)}: no held-out samples (shard 0 writes them)')
        if in_channels:
            if in_channels > self.xte.shape[1]:
                raise SystemExit(f'--in-channels {in_channels}: the data has {self.xte.shape[1]} channels')
            self.xte = self.xte[:, :in_channels].contiguous()
        self.have = [0] * len(dirs)
        self.xtr = self.ytr = None
        self.poll()
        if self.grow and len(self.xtr) == 0:
            t0 = time.time()
            while len(self.xtr) == 0 and time.time() - t0 < wait:
                time.sleep(1)
                self.poll()
        if len(self.xtr) == 0:
            raise SystemExit(f'--data {",".join(dirs)}: no training samples')

    def poll(self):
        """Append the training samples written since the last call; returns how many."""
        xs, ys = [], []
        for i, d in enumerate(self.dirs):
            px, py = os.path.join(d, 'train_x.npy'), os.path.join(d, 'train_y.npy')
            if self.grow and not (os.path.exists(px) and os.path.exists(py)):
                continue  # meta.json comes a moment before the training split's files
            n = min(complete_samples(px), complete_samples(py)) if self.grow else int(np.load(py, mmap_mode='r').shape[0])
            if n > self.have[i]:
                x = read_samples(px, self.have[i], n)
                xs.append(x[:, :self.cin].contiguous() if self.cin else x)
                ys.append(read_samples(py, self.have[i], n))
                self.have[i] = n
        if not xs:
            return 0
        # float16 on the device: 3000 samples of 256² are 2 GB.
        x, y = torch.cat(xs).to(self.device), torch.cat(ys).to(self.device)
        self.xtr = x if self.xtr is None else torch.cat([self.xtr, x])
        self.ytr = y if self.ytr is None else torch.cat([self.ytr, y])
        return len(x)

    def meta(self):
        return dict(self.metas[0], train=len(self.xtr), test=len(self.xte), shards=len(self.dirs), grown=self.grow,
                    seconds=max(m.get('seconds', 0) for m in self.metas))
