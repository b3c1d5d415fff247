import onnx, sys
from onnx import helper, TensorProto
src, dst, *outs = sys.argv[1:]
m = onnx.load(src)
g = m.graph
prod = {o: n for n in g.node for o in n.output}
def sub_inputs(n):
    s = set(n.input)
    for a in n.attribute:
        if a.type == onnx.AttributeProto.GRAPH:
            for k in a.g.node: s |= sub_inputs(k)
    return s
need, stack = set(), list(outs)
keep = set()
while stack:
    t = stack.pop()
    if t in need: continue
    need.add(t)
    n = prod.get(t)
    if n is not None and id(n) not in keep:
        keep.add(id(n)); stack += [x for x in sub_inputs(n) if x]
nodes = [n for n in g.node if id(n) in keep]
del g.node[:]; g.node.extend(nodes)
inits = [i for i in g.initializer if i.name in need]
del g.initializer[:]; g.initializer.extend(inits)
del g.output[:]
vi = {v.name: v for v in list(g.value_info)}
for o in outs:
    g.output.append(vi[o] if o in vi else helper.make_empty_tensor_value_info(o))
onnx.save(m, dst)
print(dst, len(nodes), 'nodes')
