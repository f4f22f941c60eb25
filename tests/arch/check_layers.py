#!/usr/bin/env python3
"""The house's dependency rules (docs/architecture.md, "Rooms and arrows"), checked on the sources,
on the build's link graph and on the built mapper.

    check_layers.py SOURCE_DIR BINARY_DIR

Prints one line per broken rule ("<file>:<line>: <rule>: <what>") and exits 1 when any is broken.
"""
import pathlib
import re
import subprocess
import sys

SRC = pathlib.Path(sys.argv[1])
BIN = pathlib.Path(sys.argv[2])
broken = []

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def includes(folder, suffixes=(".h", ".cpp", ".c")):
    for path in sorted((SRC / folder).rglob("*")):
        if path.suffix in suffixes and path.is_file():
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if m:
                    yield path.relative_to(SRC), n, m.group(1), m.group(2)


def shown(kind, inc):
    return f"<{inc}>" if kind == "<" else f'"{inc}"'


def forbid(folders, patterns, rule, skip=()):
    for folder in folders:
        for path, n, _, inc in includes(folder):
            if any(str(path).startswith(s) for s in skip):
                continue
            for p in patterns:
                if re.search(p, inc):
                    broken.append(f"{path}:{n}: {rule}: includes \"{inc}\"")
                    break


MODELS = [r"(^|/)impl/", r"systemc", r"chip_model\.h", r"core_datapath\.h", r"fault_apply\.h",
          r"rtl_chip\.h", r"verilated", r"^Vlifchip", r"host_regs\.h"]
HIL = [r"^platform\.h$", r"^trace\.h$", r"^suite\.h$", r"lifchip_fw\.h"]
UPPER = [r"lifchip/mapper/", r"lifchip/flow/", r"(^|/)tools/"]

# 1. The mapper builds on the chip library only: no model, no run loop, no firmware, no flow layer.
forbid(["mapper/src", "mapper/include"], MODELS + HIL + [r"lifchip/run\.h", r"lifchip/flow/", r"(^|/)tools/"],
       "the mapper must not include a backend, the run loop, the firmware or the flow layer")
# 2. core_model never reaches up; its chip library (include/, src/*.cpp) holds no model code.
forbid(["core_model"], UPPER + HIL, "core_model must not include the mapper, the flow layer or the firmware")
forbid(["core_model/include"], MODELS, "the chip library's headers must not include model code")
for path, n, _, inc in includes("core_model/src"):
    if len(path.parts) == 3 and any(re.search(p, inc) for p in MODELS):  # core_model/src/X.cpp
        broken.append(f"{path}:{n}: the chip library must not include model code: includes \"{inc}\"")
# 2b. The shared register decode (host_regs.*) serves the SystemC host interface and the functional
# register adapter alike: it knows no SystemC and no other model.
for path, n, _, inc in includes("core_model/src/impl"):
    if path.name.startswith("host_regs.") and inc != "host_regs.h" and any(re.search(p, inc) for p in MODELS + [r"^tlm", r"^sysc"]):
        broken.append(f"{path}:{n}: the shared register decode must not include model code: includes \"{inc}\"")
# 3. The firmware proper is freestanding: <stdint.h>, <stddef.h>, <stdbool.h> and its own headers.
for path, n, kind, inc in includes("firmware/src"):
    ok = (kind == "<" and inc in ("stdint.h", "stddef.h", "stdbool.h")) or \
         (kind == '"' and re.fullmatch(r"lifchip_fw[a-z_]*\.h", inc))
    if not ok:
        broken.append(f"{path}:{n}: the firmware is freestanding: includes {shown(kind, inc)}")
for path, n, kind, inc in includes("firmware/include"):
    if not (kind == "<" and inc in ("stdint.h", "stddef.h", "stdbool.h")):
        broken.append(f"{path}:{n}: the firmware's header is freestanding: includes {shown(kind, inc)}")
# 4. The HIL runner does not reach up into the flow layer, the CLI or the mapper.
forbid(["firmware/host"], UPPER, "firmware/host must not include the flow layer, the CLI or the mapper")
# 5. The flow layer names backends at run time (BackendRegistry) and never includes their code.
forbid(["tools/flow"], MODELS, "the flow layer must not include a backend's code")

# 6. The link graph the build wrote (tests/arch/link_graph.cmake).
graph, aliases = {}, {}
for line in (BIN / "lifchip_link_graph.txt").read_text().splitlines():
    if line.startswith("target "):
        head, _, items = line[len("target "):].partition(": ")
        graph[head.split()[0]] = re.findall(r"[A-Za-z0-9_]+(?:::[A-Za-z0-9_]+)?", items)
    elif line.startswith("alias "):
        _, a, real = line.split()
        aliases[a] = real


def closure(target):
    seen, todo = set(), [target]
    while todo:
        t = todo.pop()
        t = aliases.get(t, t)
        if t in seen:
            continue
        seen.add(t)
        todo.extend(graph.get(t, []))
    return seen


BACKENDS = {"lifchip_functional_impl", "lifchip_systemc_impl", "lifchip_rtl_impl", "lifchip_rtl_model",
            "lifchip_datapath", "lifchip_host_regs", "PkgConfig::SYSTEMC"}
LINK_RULES = [
    ("lifchip_chip", BACKENDS | {"lifchip_mapper_impl", "lifchip_flow", "lifchip_hil", "lifchip_fw"},
     "the chip library links no model, mapper, firmware or flow code"),
    ("lifchip_mapper_impl", BACKENDS | {"lifchip_flow", "lifchip_hil", "lifchip_fw"},
     "the mapper links the chip library only, never a backend"),
    ("lifchip_hil", {"lifchip_flow", "lifchip_mapper_impl"}, "firmware/host does not link the flow layer or the mapper"),
    ("lifchip_fw", {"lifchip_chip", "lifchip_proto"} | BACKENDS, "the firmware links nothing"),
    ("lifchip_host_regs", BACKENDS - {"lifchip_host_regs"} | {"lifchip_hil", "lifchip_fw"},
     "the shared register decode links the chip library only"),
]
for target, banned, rule in LINK_RULES:
    if target not in graph:
        broken.append(f"link graph: {target}: target missing (rule: {rule})")
        continue
    bad = sorted(closure(target) & banned)
    if bad:
        broken.append(f"link graph: {target}: {rule}: reaches {', '.join(bad)}")

# 7. The built mapper: no SystemC and no backend symbol in its archive, no libsystemc in a mapper-only
# program.
archive = BIN / "mapper" / "liblifchip_mapper_impl.a"
symbols = subprocess.run(["nm", "-C", "--undefined-only", str(archive)], capture_output=True, text=True).stdout
for pattern in (r"sc_core::", r"Vlifchip_top", r"lifchip::BackendRegistry::create", r"lifchip::run\("):
    if re.search(pattern, symbols):
        broken.append(f"{archive.relative_to(BIN)}: the mapper's object code references {pattern}")
program = BIN / "mapper" / "test_mapper_ir"
libs = subprocess.run(["ldd", str(program)], capture_output=True, text=True).stdout
if "libsystemc" in libs:
    broken.append(f"{program.relative_to(BIN)}: a mapper-only program loads libsystemc")

for b in broken:
    print(b)
print(f"check_layers: {len(broken)} broken rule(s)" if broken else "check_layers: every dependency rule holds")
sys.exit(1 if broken else 0)
