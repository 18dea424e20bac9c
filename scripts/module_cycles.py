#!/usr/bin/env python3
"""Fails when modules of src/ import each other in a cycle, at the level of files and at the
level of the layers the architecture names (docs/architecture.md, "Layers"):

- a feature's core (`accounts`, `items`, `comments`, ... : its rules, server functions and
  Redis side) and its UI (`<feature>::ui`: pages and islands) are separate nodes, so a
  feature's UI may use other features' UIs and cores, but a core never reaches into a UI;
- `server::<part>` (http, redis, jobs, ...) is a node of its own; `ui` (shared view pieces),
  `app` (the shell and the router that mounts every page), `util`, `error` are nodes.

Every path form is followed: `crate::a::b`, `super::x`, `super::super::x`, `self::x`, a child
module named directly (`use bids::place_bid` in `items::server`), and nested `use` groups
(`use crate::a::{b::{c, d}, e as f}`). `--graph` prints the layer graph."""
import glob
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
files = sorted(glob.glob(root + '/**/*.rs', recursive=True))


def modpath(f):
    rel = os.path.relpath(f, root)[:-3]
    parts = rel.split('/')
    if parts[-1] in ('mod', 'lib'):
        parts = parts[:-1]
    if parts == ['main']:
        return 'main'
    if not parts:
        return ''
    return '::'.join(parts)


mods = {modpath(f): f for f in files}


def resolve(segments):
    """The longest known module that `segments` (absolute, without `crate`) starts with."""
    for i in range(len(segments), 0, -1):
        m = '::'.join(segments[:i])
        if m in mods:
            return m
    return None


def absolute(segments, here):
    """Absolute segments for a path written in module `here`, or None for other crates."""
    cur = here.split('::') if here not in ('', 'main') else []
    if not segments:
        return None
    if segments[0] == 'crate':
        return segments[1:]
    if segments[0] in ('super', 'self'):
        base = list(cur)
        while segments and segments[0] in ('super', 'self'):
            if segments[0] == 'super':
                if not base:
                    return None
                base.pop()
            segments = segments[1:]
        return base + segments
    # A child module named directly (2018 paths: `use bids::x` inside `items::server`).
    if '::'.join(cur + segments[:1]) in mods:
        return cur + segments
    return None


def strip(source):
    source = re.sub(r'/\*.*?\*/', '', source, flags=re.S)
    source = re.sub(r'//[^\n]*', '', source)
    source = re.sub(r'r#*"(?:.|\n)*?"#*', '""', source)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', source)


def expand(tree):
    """All the paths of one use tree, as lists of segments (aliases and globs dropped)."""
    tree = tree.strip()
    depth = 0
    for i, c in enumerate(tree):
        if c == '{':
            if depth == 0:
                prefix = [p for p in tree[:i].split('::') if p.strip()]
                inner = tree[i + 1:tree.rindex('}')]
                out = []
                for part in split_top(inner):
                    for sub in expand(part):
                        out.append([p.strip() for p in prefix] + sub)
                if not split_top(inner):
                    out.append([p.strip() for p in prefix])
                return out
            depth += 1
    path = re.sub(r'\s+as\s+\w+$', '', tree)
    segs = [p.strip() for p in path.split('::') if p.strip() and p.strip() != '*']
    if segs and segs[-1] == 'self':
        segs = segs[:-1]
    return [segs] if segs else []


def split_top(s):
    parts, depth, cur = [], 0, ''
    for c in s:
        if c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
        if c == ',' and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += c
    if cur.strip():
        parts.append(cur)
    return [p for p in parts if p.strip()]


graph = {}
for m, f in mods.items():
    s = strip(open(f).read())
    deps = set()
    paths = []
    for u in re.finditer(r'\buse\s+([^;]+);', s):
        paths.extend(expand(u.group(1)))
    for p in re.finditer(r'\b((?:crate|super|self)(?:\s*::\s*\w+)+)', s):
        paths.append([x.strip() for x in p.group(1).split('::')])
    for segs in paths:
        a = absolute(segs, m)
        if a is None:
            continue
        r = resolve(a)
        if r and r != m and not m.startswith(r + '::'):
            deps.add(r)
    graph[m] = deps


def sccs_of(g):
    sys.setrecursionlimit(10000)
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(g):
        if v not in index:
            visit(v)
    return out


def layer(m):
    p = m.split('::')
    if p[0] == 'server' and len(p) > 1:
        return 'server::' + p[1]
    if len(p) > 1 and p[1] == 'ui':
        return p[0] + '::ui'
    return p[0]


layers = {}
for m, d in graph.items():
    layers.setdefault(layer(m), set()).update(layer(x) for x in d if layer(x) != layer(m))

file_cycles = sccs_of(graph)
layer_cycles = sccs_of(layers)
if '--graph' in sys.argv:
    for k in sorted(layers):
        print(k, '->', ', '.join(sorted(layers[k])))
if file_cycles or layer_cycles:
    print("import cycles between files:", file_cycles)
    print("import cycles between layers:", layer_cycles)
    sys.exit(1)
print(f"no import cycles ({len(graph)} modules, {len(layers)} layers)")
