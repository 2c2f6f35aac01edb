"""Checks exported ONNX files with onnx.checker (full check: strict shape inference too) and prints one line per file.

Usage: /usr/bin/python3 check_onnx.py FILE.onnx...   (Debian's python3-onnx; exits 1 if any file fails)
"""
import os
import sys

import onnx


def main(paths):
    failed = 0
    print(f"onnx {onnx.__version__}, onnx.checker.check_model(full_check=True)")
    for path in sorted(paths):
        model = onnx.load(path)
        try:
            onnx.checker.check_model(model, full_check=True)
            verdict = "ok"
        except Exception as error:  # the checker raises ValidationError or InferenceError
            verdict = "FAILED: " + str(error).splitlines()[0]
            failed += 1
        ops = sorted({node.op_type for node in model.graph.node})
        dims = [d.dim_param or str(d.dim_value) for d in model.graph.input[0].type.tensor_type.shape.dim]
        print(f"{os.path.basename(path)}: ir {model.ir_version}, opset {model.opset_import[0].version}, "
              f"input [{', '.join(dims)}], {len(model.graph.node)} nodes ({', '.join(ops)}): {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
