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
def taps(H,W,lh,lw):
    y,x=torch.meshgrid(torch.arange(H),torch.arange(W),indexing='ij')
    lx=(x+0.5)*lw/W-0.5; ly=(y+0.5)*lh/H-0.5
    fx=lx.floor(); fy=ly.floor(); ax=lx-fx; ay=ly-fy
    x0=fx.long().clamp(0,lw-1); x1=(fx.long()+1).clamp(0,lw-1); y0=fy.long().clamp(0,lh-1); y1=(fy.long()+1).clamp(0,lh-1)
    idx=torch.stack([y0*lw+x0,y0*lw+x1,y1*lw+x0,y1*lw+x1],-1).reshape(-1,4)
    w=torch.stack([(1-ax)*(1-ay),ax*(1-ay),(1-ax)*ay,ax*ay],-1).reshape(-1,4)
    return idx,w
def run(tgt, groups, grids, hidden=(32,32), steps=1500, batch=16384, qat=True, weighting=False, seed=1, pos='uv'):
    torch.manual_seed(seed)
    H,W,C=tgt.shape; T=H*W; Y=tgt.reshape(T,C)
    lat=[]; tp=[]
    for (s,F,b,*_) in grids:
        lh,lw=math.ceil(H/s),math.ceil(W/s)
        lat.append(torch.nn.Parameter(0.5+0.1*(torch.rand(lh*lw,F)-0.5))); tp.append(taps(H,W,lh,lw))
    I=sum(g[1]*(4 if g[3:]==['cat'] else 1) for g in grids)+(4 if pos=='p4' else 2)
    mlp=torch.nn.Sequential(torch.nn.Linear(I,hidden[0]),torch.nn.LeakyReLU(0.01),torch.nn.Linear(hidden[0],hidden[1]),torch.nn.LeakyReLU(0.01),torch.nn.Linear(hidden[1],C))
    yy,xx=torch.meshgrid(torch.arange(H),torch.arange(W),indexing='ij'); uv=torch.stack([(xx+0.5)/W,(yy+0.5)/H],-1).reshape(T,2)
    tri=lambda s: 1-(2*(s-s.floor())-1).abs()
    if pos=='frac': s0=grids[0][0]; lx=(xx+0.5)/s0-0.5; ly=(yy+0.5)/s0-0.5; uv=torch.stack([lx-lx.floor(),ly-ly.floor()],-1).reshape(T,2)
    if pos=='p2': uv=torch.stack([tri(xx/2),tri(yy/2)],-1).reshape(T,2).float()
    if pos=='p4': uv=torch.stack([tri(xx/4),tri(yy/4),tri(xx/4+0.25),tri(yy/4+0.25)],-1).reshape(T,4).float()
    opt=torch.optim.Adam([{'params':mlp.parameters(),'lr':1e-2},{'params':lat,'lr':5e-2}],betas=(0.9,0.99))
    cw=torch.ones(C)
    def feats(rows, mode):
        xs=[]
        for (s,F,b,*cat),L,(idx,w) in zip(grids,lat,tp):
            Lv=L.clamp(0,1); q=(1<<b)-1
            if mode=='noise': Lv=Lv+(torch.rand_like(Lv)-0.5)/q
            elif mode=='ste': Lv=Lv+(torch.round(Lv*q)/q-Lv).detach()
            elif mode=='hard': Lv=torch.round(Lv*q)/q
            xs.append(Lv[idx[rows]].reshape(len(rows),-1) if cat==['cat'] else (Lv[idx[rows]]*w[rows,:,None]).sum(1))
        xs.append(uv[rows]); return torch.cat(xs,-1)
    fine=int(steps*0.2)
    for it in range(steps+fine):
        f=it/(steps+fine); 
        lrf=0.5*(1+math.cos(math.pi*(it/steps if it<steps else (it-steps)/fine)))*0.9+0.1
        opt.param_groups[0]['lr']=1e-2*lrf*(1 if it<steps else 0.3); opt.param_groups[1]['lr']=5e-2*lrf if it<steps else 0
        rows=torch.randint(0,T,(batch,))
        mode=('noise' if qat else 'float') if it<steps else 'hard'
        y=mlp(feats(rows,mode)); e=(y-Y[rows])**2
        loss=(e*cw).mean(); opt.zero_grad(); loss.backward(); opt.step()
        if weighting and it%100==99 and it<steps:
            with torch.no_grad():
                m=e.mean(0); 
                for (n,c0,nc) in groups:
                    cw[c0:c0+nc]=(m[c0:c0+nc].mean()/m.mean()).clamp(0.25,4)
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
            t=time.time(); bits,res=run(tgt,groups,c['grids'],qat=c.get('qat',True),weighting=c.get('w',False),steps=steps,seed=c.get('seed',1),pos=c.get('pos','uv'),hidden=tuple(c.get('h',[32,32])))
            print(json.dumps({'set':d.split('/')[-1],'cfg':name,'bits':bits,'min':min(res.values()),**res,'s':round(time.time()-t,1)}),flush=True)
