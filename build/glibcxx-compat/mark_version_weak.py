#!/usr/bin/env python3
"""Marks one GLIBCXX version requirement of an ELF64 shared object as weak.

TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) for a single
symbol, std::ios_base_library_init(). Older distributions (Debian 12, Ubuntu 22.04) stop
at 3.4.30, so the dynamic loader refuses the whole library. A weak version requirement
(VER_FLG_WEAK in .gnu.version_r) makes the loader accept a missing version; the symbol
itself is supplied by libkinema_glibcxx_shim.so. Only the standard library is used so the
build needs nothing beyond python3.

usage: mark_version_weak.py FILE VERSION   (edits FILE in place; prints what it did)
"""
import struct
import sys

VER_FLG_WEAK = 0x2
SHT_GNU_VERNEED = 0x6FFFFFFE


def main(path: str, version: str) -> int:
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            print(f"{path}: not a little-endian ELF64 file", file=sys.stderr)
            return 1
        e_shoff, = struct.unpack_from("<Q", data, 0x28)
        e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = []
        for i in range(e_shnum):
            off = e_shoff + i * e_shentsize
            (name, stype, flags, addr, offset, size, link, info, align, entsize) = struct.unpack_from(
                "<IIQQQQIIQQ", data, off)
            sections.append((stype, offset, size, link, info))
        patched = 0
        for stype, offset, size, link, info in sections:
            if stype != SHT_GNU_VERNEED:
                continue
            strtab_offset = sections[link][1]
            entry = offset
            for _ in range(info):
                vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, entry)
                aux = entry + vn_aux
                for _ in range(vn_cnt):
                    vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                    end = data.index(b"\0", strtab_offset + vna_name)
                    name = data[strtab_offset + vna_name:end].decode()
                    if name == version and not vna_flags & VER_FLG_WEAK:
                        struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                        patched += 1
                    aux += vna_next
                if vn_next == 0:
                    break
                entry += vn_next
        if patched == 0:
            print(f"{path}: no non-weak requirement for {version}; left unchanged")
            return 0
        f.seek(0)
        f.write(data)
        print(f"{path}: marked {version} weak")
        return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
