#!/usr/bin/env python3
"""Fails when modules of src/ import each other in a cycle, at the level of files and at
the level of features and server parts (accounts, items, comments, profiles, live, util,
pages, components, server::http, server::redis, ...). `--graph` prints the feature graph."""
import glob
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
files=[f for f in glob.glob(root+'/**/*.rs',recursive=True)]
def modpath(f):
    rel=os.path.relpath(f,root)[:-3]
    parts=rel.split('/')
    if parts[-1] in('mod','lib'): parts=parts[:-1]
    if parts==['main']: return 'main'
    return '::'.join(parts)
mods={modpath(f):f for f in files}
def resolve(path):
    # longest module prefix
    parts=path.split('::')
    for i in range(len(parts),0,-1):
        m='::'.join(parts[:i])
        if m in mods: return m
    return None
graph={}
for m,f in mods.items():
    s=open(f).read()
    # strip comments
    s=re.sub(r'//.*','',s)
    deps=set()
    for mm in re.finditer(r'crate::((?:[a-z_]+::)*[a-z_A-Z]+)',s):
        r=resolve(mm.group(1))
        if r and r!=m: deps.add(r)
    for mm in re.finditer(r'use crate::([a-z_:]+)::\{([^}]*)\}',s):
        base=mm.group(1)
        for item in mm.group(2).split(','):
            item=item.strip().split(' ')[0]
            if item and item!='self':
                r=resolve(base+'::'+item)
                if r and r!=m: deps.add(r)
    graph[m]=deps
# file-level cycles (SCCs)
sys.setrecursionlimit(10000)
index={};low={};st=[];on=set();sccs=[];i=[0]
def sc(v):
    index[v]=low[v]=i[0];i[0]+=1;st.append(v);on.add(v)
    for w in graph.get(v,()):
        if w not in index: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],index[w])
    if low[v]==index[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: sccs.append(comp)
for v in graph:
    if v not in index: sc(v)
file_cycles=[list(c) for c in sccs]
# top-level: group by first segment, except server:: second level
def top(m):
    p=m.split('::')
    if p[0]=='server' and len(p)>1: return 'server::'+p[1]
    if p[0] in ('accounts','items','comments','profiles','live') : return p[0]
    return p[0]
tg={}
for m,d in graph.items():
    tg.setdefault(top(m),set()).update(top(x) for x in d if top(x)!=top(m))
index.clear();low.clear();st.clear();on.clear();sccs.clear();i[0]=0
graph2=tg
def sc2(v):
    index[v]=low[v]=i[0];i[0]+=1;st.append(v);on.add(v)
    for w in graph2.get(v,()):
        if w not in index: sc2(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],index[w])
    if low[v]==index[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: sccs.append(comp)
for v in graph2:
    if v not in index: sc2(v)
if '--graph' in sys.argv:
    for k in sorted(tg): print(k,'->',', '.join(sorted(tg[k])))
if file_cycles or sccs:
    print("import cycles between files:", file_cycles)
    print("import cycles between features:", sccs)
    sys.exit(1)
print(f"no import cycles ({len(graph)} modules)")
