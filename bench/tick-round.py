#!/usr/bin/env python3
"""The periodic round in Redis, timed alone (docs/PROFILE.md, "Periodic round in Redis").

    tick-round.py PORT ROUNDS NAME=FILE[:PAPERS_PER_CALL] ...

Loads, on the private Redis at 127.0.0.1:PORT (it is FLUSHALLed), one library: redis/prelude.lua and each
FILE registered as function tick_NAME, as LuaLibrary does. Then, per variant: 1,000 papers (meta at seq 5;
4 users present, one per node A, B, C and a second on A), and ROUNDS rounds of node A (users u1, u4) sent
as one pipeline each. A FILE whose function takes one paper (the tick.lua of before issue 13, "--! flags="
then the shared keys and arguments) is called once per paper; otherwise PAPERS_PER_CALL papers per call
(default 100) in tick.lua's per-paper layout. Prints Redis's main-thread CPU (INFO cpu: robust to a busy
machine, unlike wall time) and commandstats' fcall usec, per paper.
"""
import json
import os
import socket
import sys
import time

port, rounds = int(sys.argv[1]), int(sys.argv[2])
variants = []
for spec in sys.argv[3:]:
    name, rest = spec.split('=', 1)
    path, _, chunk = rest.partition(':')
    variants.append((name, path, int(chunk or 100)))
sock = socket.create_connection(('127.0.0.1', port))
rd = sock.makefile('rb')


def enc(*a):
    out = [b'*%d\r\n' % len(a)]
    for x in a:
        x = x if isinstance(x, bytes) else str(x).encode()
        out.append(b'$%d\r\n%s\r\n' % (len(x), x))
    return b''.join(out)


def read():
    line = rd.readline()
    kind = line[:1]
    if kind in b'+:':
        return line[1:-2]
    if kind == b'-':
        raise RuntimeError(line.decode())
    if kind == b'$':
        n = int(line[1:-2])
        return None if n < 0 else rd.read(n + 2)[:-2]
    if kind == b'*':
        return [read() for _ in range(max(int(line[1:-2]), 0))]
    raise RuntimeError(line)


def cmd(*a):
    sock.sendall(enc(*a))
    return read()


def pipe(cmds):
    sock.sendall(b''.join(cmds))
    return [read() for _ in cmds]


def cpu():
    d = dict(l.split(':', 1) for l in cmd('INFO', 'cpu').decode().split('\r\n') if ':' in l)
    return float(d['used_cpu_user_main_thread']) + float(d['used_cpu_sys_main_thread'])


here = os.path.dirname(os.path.abspath(__file__))
src = ['#!lua name=tickround\n', open(os.path.join(here, '../node/src/main/resources/redis/prelude.lua')).read(), '\n']
single = {}
for name, path, _ in variants:
    body = open(path).read().split('\n', 1)[1]
    single[name] = 'ARGV[5]' in body  # the old single-paper tick.lua: ARGV[5] is the node
    src.append("redis.register_function{function_name='tick_%s', flags={}, callback=function(keys, args)\n"
               "begin(keys, args)\n%s\nend}\n" % (name, body))
cmd('FUNCTION', 'LOAD', 'REPLACE', ''.join(src))
PAPERS = 1000
far = int(time.time() * 1000) + 3_600_000
users = ['u1', 'U1', 'u4', 'U4']
for name, _, chunk in variants:
    cmd('FLUSHALL')
    setup = []
    for i in range(PAPERS):
        t = 'rp:{p%d}:' % i
        setup.append(enc('HSET', t + 'meta', 'epoch', 'e1', 'seq', 5, 'pub', 5, 'status', 'open', 'pv', 0))
        for user, node in (('u1', 'A'), ('u2', 'B'), ('u3', 'C'), ('u4', 'A')):
            setup.append(enc('HSET', t + 'presence', user, json.dumps({'n': user.upper(), 's': {node: far}})))
    pipe(setup)
    calls = []
    if single[name]:
        for i in range(PAPERS):
            t = 'rp:{p%d}:' % i
            calls.append(enc('FCALL', 'tick_' + name, 6, t + 'meta', t + 'notes', t + 'log', t + 'presence',
                             t + 'tomb', t + 'lease', '"p%d"' % i, t + 'ch', t + 'n:', 'PUBLISH', 'A', 30000, *users))
    else:
        for first in range(0, PAPERS, chunk):
            keys, args = [], ['A', 30000, 'PUBLISH']
            for i in range(first, min(PAPERS, first + chunk)):
                t = 'rp:{p%d}:' % i
                keys += [t + 'meta', t + 'presence']
                args += ['"p%d"' % i, t + 'ch', 2, *users]
            calls.append(enc('FCALL', 'tick_' + name, len(keys), *keys, *args))
    pipe(calls)  # warm
    cmd('CONFIG', 'RESETSTAT')
    c0, t0 = cpu(), time.time()
    for _ in range(rounds):
        pipe(calls)
    wall, used = time.time() - t0, cpu() - c0
    stat = [l for l in cmd('INFO', 'commandstats').decode().split('\r\n') if l.startswith('cmdstat_fcall:')][0]
    usec = int(dict(x.split('=') for x in stat.split(':', 1)[1].split(','))['usec'])
    print('%-8s %4d calls/round  Redis CPU %5.1f us/paper  fcall %5.1f us/paper, %8.1f us/call  wall %5.1f ms/round'
          % (name, len(calls), used * 1e6 / rounds / PAPERS, usec / rounds / PAPERS, usec / rounds / len(calls),
             wall * 1000 / rounds))
