"""Work equality for the bench scripts: checks from a tool's own output that it did the
work asked of it, printing `MISMATCH <label>: <what>` on standard error for each
difference and exiting 1 if there was any.

  work.py scsitool-verify LABEL REPORT.json WRITTEN VERIFIED
      `scsitool --json verify`: WRITTEN bytes written; VERIFIED bytes read back and every
      block classified ok (0: a run stopped after its writes, nothing read back).
  work.py fio-verify LABEL TERSE SIZE
      `fio --output-format=terse` (version 3) of a write job with --verify: error field 0,
      SIZE bytes written and SIZE bytes read back.
  work.py scsitool-fwupdate LABEL REPORT.json SIZE
      `scsitool --json fwupdate`: SIZE bytes acknowledged, the new firmware active.
"""
import json
import sys

# fio terse version 3 fields (1-based, as in fio's HOWTO "Terse output"): 5 error,
# 6 read io KiB, 47 write io KiB (the read status takes fields 6-46).
FIO_ERROR, FIO_READ_KIB, FIO_WRITE_KIB = 5, 6, 47


def dig(doc, *path):
    """doc[path[0]][path[1]]..., or None where a step is missing."""
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def scsitool_verify(report, written, verified):
    doc = json.load(open(report))
    problems = []
    got = dig(doc, "outcome", "write", "bytes")
    if got != written:
        problems.append(f"wrote {got} bytes, expected {written}")
    verify = dig(doc, "outcome", "verify")
    if verified == 0:
        if verify is not None:
            problems.append("read back although the run was to stop after its writes")
        return problems
    if verify is None:
        return problems + ["read nothing back"]
    blocks, bs = verify.get("blocks"), dig(doc, "params", "block_size")
    if not isinstance(blocks, int) or not isinstance(bs, int) or blocks * bs != verified:
        problems.append(f"read back {blocks} blocks of {bs} bytes, expected {verified} bytes")
    ok, faults = dig(verify, "tally", "counts", "ok"), dig(verify, "tally", "faults")
    if ok != blocks or faults != 0:
        problems.append(f"{ok} of {blocks} blocks ok, {faults} faults")
    return problems


def fio_verify(terse, size):
    lines = [l.split(";") for l in open(terse) if l.startswith("3;")]
    if len(lines) != 1:
        return [f"{len(lines)} terse (version 3) job lines, expected 1"]
    fields = lines[0]
    if len(fields) < FIO_WRITE_KIB:
        return [f"a terse line of {len(fields)} fields"]
    field = lambda n: fields[n - 1]
    problems = []
    if field(FIO_ERROR) != "0":
        problems.append(f"error field {field(FIO_ERROR)}")
    for what, n in (("wrote", FIO_WRITE_KIB), ("read back", FIO_READ_KIB)):
        if field(n) != str(size // 1024):
            problems.append(f"{what} {field(n)} KiB, expected {size // 1024}")
    return problems


def scsitool_fwupdate(report, size):
    doc = json.load(open(report))
    problems = []
    acked = dig(doc, "update", "download", "acknowledged")
    if acked != size or dig(doc, "update", "download", "finished") is not True:
        problems.append(f"download acknowledged {acked} bytes, expected {size}")
    outcome = dig(doc, "outcome", "outcome")
    if outcome != "updated_active":
        problems.append(f"outcome {outcome}, expected updated_active")
    return problems


def main(argv):
    checks = {
        "scsitool-verify": lambda a: scsitool_verify(a[0], int(a[1]), int(a[2])),
        "fio-verify": lambda a: fio_verify(a[0], int(a[1])),
        "scsitool-fwupdate": lambda a: scsitool_fwupdate(a[0], int(a[1])),
    }
    if len(argv) < 3 or argv[0] not in checks:
        sys.exit(__doc__)
    try:
        problems = checks[argv[0]](argv[2:])
    except (OSError, ValueError, IndexError) as e:
        problems = [f"unreadable output: {e}"]
    for problem in problems:
        print(f"MISMATCH {argv[1]}: {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
