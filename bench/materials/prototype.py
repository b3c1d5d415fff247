# PyTorch (CPU) prototype of the material trainer, to compare latent configurations at equal bits before
# porting them to WGSL (bench/NOTES-materials.md). Usage:
#   /usr/bin/python3 bench/materials/prototype.py .corpus/re-pk-panels,.corpus/nx-simplines \
#     '{"C2":{"grids":[[2,16,2]]},"A8":{"grids":[[2,4,8]],"qat":false}}' 1000
# grids: [scale, features, bits] or [scale, features, bits, "cat"] (the four taps concatenated unfiltered, NTC's
# high-resolution grid, in place of their bilinear blend); qat (default true): noise of one code step; w: per-texture
# weights; h: the two hidden widths (default [32, 32]); pos: "uv" (default), "frac" (the bilinear weights' ax, ay of the first grid: where the texel lies between its taps), "p2", "p4".
import sys, json, math, time, torch, numpy as np
from PIL import Image
torch.set_num_threads(1)
# Latents projected into [0, 1] after each step, as wgml's Adam kernel does (default since 2026-12-05, tenth session);
# PROJECT=0 is the prototype before it, whose stray latents stuck outside with no gradient (1.5–2.8 dB lower; every
# prototype table in bench/NOTES-materials.md before "Refinement during training" was made that way).
PROJECT=__import__('os').environ.get('PROJECT','1')=='1'
CENTER=float(__import__('os').environ.get('CENTER','0'))  # inputs shifted by -CENTER (0.5: centred on 0)
def load(d, crop=int(__import__('os').environ.get('CROP', 256))):
    chans=[]; groups=[]
    for name in ['albedo','normal','gloss','spec']:
        try: im=np.asarray(Image.open(f'{d}/{name}.png').convert('RGBA')).astype(np.float32)/255
        except FileNotFoundError: continue
        im=im[:crop,:crop]
        if name=='normal': c=im[...,:2]
        elif (im[...,0]==im[...,1]).all() and (im[...,1]==im[...,2]).all(): c=im[...,:1]
        else: c=im[...,:3]
        groups.append((name,len(chans) and sum(x.shape[-1] for x in chans),c.shape[-1])); chans.append(c)
    return torch.tensor(np.concatenate(chans,-1)), groups
# Hidden activations (act): leaky ReLU (wgml's), hard GELU (x·clamp(x/3 + ½, 0, 1), NTC's HGELU without its clamp), SiLU.
class HGelu(torch.nn.Module):
    def forward(self,x): return x*(x/3+0.5).clamp(0,1)
ACTS={'leaky':lambda: torch.nn.LeakyReLU(0.01),'hgelu':HGelu,'silu':torch.nn.SiLU}
def taps(H,W,lh,lw):
    y,x=torch.meshgrid(torch.arange(H),torch.arange(W),indexing='ij')
    lx=(x+0.5)*lw/W-0.5; ly=(y+0.5)*lh/H-0.5
    fx=lx.floor(); fy=ly.floor(); ax=lx-fx; ay=ly-fy
    x0=fx.long().clamp(0,lw-1); x1=(fx.long()+1).clamp(0,lw-1); y0=fy.long().clamp(0,lh-1); y1=(fy.long()+1).clamp(0,lh-1)
    idx=torch.stack([y0*lw+x0,y0*lw+x1,y1*lw+x0,y1*lw+x1],-1).reshape(-1,4)
    w=torch.stack([(1-ax)*(1-ay),ax*(1-ay),(1-ax)*ay,ax*ay],-1).reshape(-1,4)
    return idx,w
def score(mlp,feats,Y,T,groups):
    out=torch.cat([mlp(feats(torch.arange(i,min(i+65536,T)),'hard')) for i in range(0,T,65536)]).clamp(0,1)
    return {n:round(-10*math.log10(((out[:,c0:c0+nc]-Y[:,c0:c0+nc])**2).mean().item()),2) for (n,c0,nc) in groups}
def refine_codes(mlp,lat,grids,tp,uv,Y,cw,H,W,sweeps,radius=int(__import__('os').environ.get('RADIUS',1))):
    # Greedy coordinate descent on the integer codes: per grid, feature and 2x2 colour class (latents two apart in x and
    # y have disjoint footprints: a texel's taps are two neighbours, exactly one of each parity), try code +1 and -1 on
    # every latent of the class at once and keep each change that lowers the weighted error over its own footprint.
    T=H*W; codes=[torch.round(L.clamp(0,1)*((1<<b)-1)).long() for L,(s,F,b,*_) in zip(lat,grids)]
    def decode(cds):
        xs=[]
        for (s,F,b,*cat),cd,(idx,w) in zip(grids,cds,tp):
            Lv=cd.float()/((1<<b)-1)
            xs.append(Lv[idx].reshape(T,-1) if cat==['cat'] else (Lv[idx]*w[:,:,None]).sum(1))
        xs.append(uv); return (((mlp(torch.cat(xs,-1)).clamp(0,1)-Y)**2)*cw).sum(-1)
    err=decode(codes); e0=err.mean().item(); changed=0
    for sw in range(sweeps):
        for g,((s,F,b,*_),(idx,w)) in enumerate(zip(grids,tp)):
            lh,lw=math.ceil(H/s),math.ceil(W/s); q=(1<<b)-1
            ly=torch.arange(lh*lw)//lw; lx=torch.arange(lh*lw)%lw
            for f in range(F):
                for a in range(2):
                    for c in range(2):
                        cls=(ly%2==a)&(lx%2==c)
                        # the class latent covering each texel: among its 4 taps, the one of parity (a, c), if any
                        ti=idx; tcls=cls[ti]; has=tcls.any(-1); own=torch.where(has,ti.gather(1,tcls.float().argmax(-1,keepdim=True)).squeeze(1),torch.zeros_like(has,dtype=torch.long))
                        for d in [k for r in range(1,radius+1) for k in (r,-r)]:
                            trial=[cd.clone() for cd in codes]; col=trial[g][:,f]; col[cls]=(col[cls]+d).clamp(0,q)
                            e1=decode(trial); delta=torch.zeros(lh*lw).index_add_(0,own[has],(e1-err)[has])
                            acc=cls&(delta<0)&(trial[g][:,f]!=codes[g][:,f])
                            if acc.any():
                                codes[g][acc,f]=trial[g][acc,f]; changed+=int(acc.sum())
                                err=decode(codes)
        print(json.dumps({'sweep':sw,'err':err.mean().item(),'err0':e0,'changed':changed}),flush=True)
    return codes
def run(tgt, groups, grids, hidden=(32,32), act='leaky', lr=(1e-2,5e-2), floor=0.1, steps=1500, batch=16384, qat=True, weighting=False, seed=1, pos='uv', refine=0, refine_ft=0, c_after=0, ste=None, mid=(), sched=None):
    torch.manual_seed(seed)
    H,W,C=tgt.shape; T=H*W; Y=tgt.reshape(T,C)
    lat=[]; tp=[]
    for (s,F,b,*_) in grids:
        lh,lw=math.ceil(H/s),math.ceil(W/s)
        lat.append(torch.nn.Parameter(0.5+0.1*(torch.rand(lh*lw,F)-0.5))); tp.append(taps(H,W,lh,lw))
    I=sum(g[1]*(4 if g[3:]==['cat'] else 1) for g in grids)+(4 if pos=='p4' else 2)
    mlp=torch.nn.Sequential(torch.nn.Linear(I,hidden[0]),ACTS[act](),torch.nn.Linear(hidden[0],hidden[1]),ACTS[act](),torch.nn.Linear(hidden[1],C))
    yy,xx=torch.meshgrid(torch.arange(H),torch.arange(W),indexing='ij'); uv=torch.stack([(xx+0.5)/W,(yy+0.5)/H],-1).reshape(T,2)
    tri=lambda s: 1-(2*(s-s.floor())-1).abs()
    if pos=='frac': s0=grids[0][0]; lx=(xx+0.5)/s0-0.5; ly=(yy+0.5)/s0-0.5; uv=torch.stack([lx-lx.floor(),ly-ly.floor()],-1).reshape(T,2)
    if pos=='p2': uv=torch.stack([tri(xx/2),tri(yy/2)],-1).reshape(T,2).float()
    if pos=='p4': uv=torch.stack([tri(xx/4),tri(yy/4),tri(xx/4+0.25),tri(yy/4+0.25)],-1).reshape(T,4).float()
    LRM,LRL=lr; opt=torch.optim.Adam([{'params':mlp.parameters(),'lr':LRM},{'params':lat,'lr':LRL}],betas=(0.9,0.99))
    cw=torch.ones(C)
    def feats(rows, mode):
        xs=[]
        for (s,F,b,*cat),L,(idx,w) in zip(grids,lat,tp):
            Lv=L.clamp(0,1); q=(1<<b)-1
            if mode=='noise': Lv=Lv+(torch.rand_like(Lv)-0.5)/q
            elif mode=='ste': Lv=Lv+(torch.round(Lv*q)/q-Lv).detach()
            elif mode=='hard': Lv=torch.round(Lv*q)/q
            xs.append(Lv[idx[rows]].reshape(len(rows),-1) if cat==['cat'] else (Lv[idx[rows]]*w[rows,:,None]).sum(1))
        xs.append(uv[rows]); return torch.cat(xs,-1)-CENTER
    fine=int(steps*0.2) if sched is None else 0
    mid_sweeps=int(__import__('os').environ.get('MID_SWEEPS',4))
    for it in range(steps+fine):
        f=it/(steps+fine); 
        lrf=0.5*(1+math.cos(math.pi*(it/steps if it<steps else (it-steps)/fine)))*(1-floor)+floor
        opt.param_groups[0]['lr']=LRM*lrf*(1 if it<steps else 0.3); opt.param_groups[1]['lr']=LRL*lrf if it<steps else 0
        rows=torch.randint(0,T,(batch,))
        mode=(('ste' if ste is not None and it>=steps*ste else 'noise') if qat else 'float') if it<steps else 'hard'
        if it<steps and any(it==int(steps*m) for m in mid):
            # refine the rounded codes mid-training and carry on from them (the latents stay trainable)
            with torch.no_grad():
                codes=refine_codes(mlp,lat,grids,tp,uv,Y,cw,H,W,mid_sweeps)
                for L,cd,(s,F,b,*_) in zip(lat,codes,grids): L.copy_(cd.float()/((1<<b)-1))
        y=mlp(feats(rows,mode)); e=(y-Y[rows])**2
        loss=(e*cw).mean(); opt.zero_grad(); loss.backward(); opt.step()
        if PROJECT:
            # as wgml's Adam kernel: latents projected back into [0, 1] after each step (clamping only in the forward
            # leaves a latent that strays out with no gradient to bring it back)
            with torch.no_grad():
                for L in lat: L.clamp_(0,1)
        if weighting and it%100==99:
            # w: true (power 1) or a power p: weight (texture MSE / mean)^p, as wgml's balanceWeights (balancePower),
            # half-way each 100 steps, fine-tuning too. Until 2026-12-06 (fifteenth session) it was the ratio of channel
            # means, unsmoothed, training only: the prototype tables in bench/NOTES-materials.md before then used that.
            with torch.no_grad():
                m=e.mean(0); tm=torch.stack([m[c0:c0+nc].mean() for (n,c0,nc) in groups]); pw=float(weighting)
                for (n,c0,nc),t in zip(groups,tm):
                    cw[c0:c0+nc]=0.5*cw[c0:c0+nc]+0.5*((t/tm.mean())**pw).clamp(0.25,4)
    if sched is not None:
        # phases after training: ["refine", sweeps] or ["ft", steps] (decoder only, on the hard codes)
        with torch.no_grad(): psnr0=score(mlp,feats,Y,T,groups)
        total_ft=sum(n for k,n in sched if k=='ft'); done=0
        for k,n in sched:
            if k=='refine':
                with torch.no_grad():
                    codes=refine_codes(mlp,lat,grids,tp,uv,Y,cw,H,W,n)
                    for L,cd,(s,F,b,*_) in zip(lat,codes,grids): L.copy_(cd.float()/((1<<b)-1))
            else:
                for it in range(n):
                    # one cosine decay over all fine-tuning phases, as the plain run's fine-tuning
                    lrf=0.5*(1+math.cos(math.pi*done/max(1,total_ft)))*(1-floor)+floor; done+=1
                    opt.param_groups[0]['lr']=LRM*lrf*0.3; opt.param_groups[1]['lr']=0
                    rows=torch.randint(0,T,(batch,)); y=mlp(feats(rows,'hard')); e=(y-Y[rows])**2
                    loss=(e*cw).mean(); opt.zero_grad(); loss.backward(); opt.step()
            print(json.dumps({'phase':[k,n],'psnr':score(mlp,feats,Y,T,groups)}),flush=True)
        print(json.dumps({'before_phases':psnr0}),flush=True)
    if refine:
        with torch.no_grad():
            psnr0=score(mlp,feats,Y,T,groups)
            codes=refine_codes(mlp,lat,grids,tp,uv,Y,cw,H,W,refine)
            for L,cd,(s,F,b,*_) in zip(lat,codes,grids): L.copy_(cd.float()/((1<<b)-1))
            print(json.dumps({'after_refine':score(mlp,feats,Y,T,groups)}),flush=True)
        if refine_ft:  # decoder fine-tuning on the refined codes
            for it in range(refine_ft):
                opt.param_groups[0]['lr']=LRM*0.3*0.1; opt.param_groups[1]['lr']=0
                rows=torch.randint(0,T,(batch,)); y=mlp(feats(rows,'hard')); e=(y-Y[rows])**2
                loss=(e*cw).mean(); opt.zero_grad(); loss.backward(); opt.step()
        if refine_ft and c_after:
            print(json.dumps({'after_ft':score(mlp,feats,Y,T,groups)}),flush=True)
            with torch.no_grad():
                codes=refine_codes(mlp,lat,grids,tp,uv,Y,cw,H,W,c_after)
                for L,cd,(s,F,b,*_) in zip(lat,codes,grids): L.copy_(cd.float()/((1<<b)-1))
        print(json.dumps({'before_refine':psnr0}),flush=True)
    with torch.no_grad():
        out=torch.cat([mlp(feats(torch.arange(i,min(i+65536,T)),'hard')) for i in range(0,T,65536)]).clamp(0,1)
        res={}
        for (n,c0,nc) in groups: res[n]=round(-10*math.log10(((out[:,c0:c0+nc]-Y[:,c0:c0+nc])**2).mean().item()),2)
    bits=sum(F*b/(s*s) for (s,F,b,*_) in grids)
    return bits,res
if __name__=='__main__':
    sets=sys.argv[1].split(','); cfgs=json.loads(sys.argv[2]); steps=int(sys.argv[3]) if len(sys.argv)>3 else 1500
    for d in sets:
        tgt,groups=load(d)
        for name,c in cfgs.items():
            t=time.time(); bits,res=run(tgt,groups,c['grids'],qat=c.get('qat',True),weighting=c.get('w',False),steps=steps,seed=c.get('seed',1),pos=c.get('pos','uv'),hidden=tuple(c.get('h',[32,32])),act=c.get('act','leaky'),lr=tuple(c.get('lr',[1e-2,5e-2])),floor=c.get('floor',0.1),batch=c.get('batch',int(__import__('os').environ.get('BATCH',16384))),refine=c.get('refine',0),refine_ft=c.get('refine_ft',0),c_after=c.get('refine_after',0),ste=c.get('ste'),mid=tuple(c.get('mid',[])),sched=c.get('sched'))
            print(json.dumps({'set':d.split('/')[-1],'cfg':name,'bits':bits,'min':min(res.values()),**res,'s':round(time.time()-t,1)}),flush=True)
