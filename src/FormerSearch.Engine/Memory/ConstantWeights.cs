using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FormerSearch.Engine.Kernels.Gemm;

namespace FormerSearch.Engine.Memory;

/// <summary>
/// A promise, for as long as the scope is open on this thread, that no weight changes: linear layers without gradient then
/// pack each weight once into the GEMM micro-kernel's layout and reuse it, as ONNX Runtime pre-packs a model's constant
/// initializers, instead of packing it again on every call (at batch 1 packing DeiT-Tiny's weights cost a third as much
/// as multiplying by them). Serving loops open it — timed forward passes, prediction, evaluation — and training never does;
/// a weight changed inside the scope would be read as it was when first packed. Scopes nest; the packed copies are
/// dropped when the outermost one ends.
/// <code>
/// using (ConstantWeights.Enter())
///     foreach (var batch in batches) model.Forward(batch);
/// </code>
/// </summary>
public readonly struct ConstantWeights : IDisposable
{
    // Packed floats kept per thread (512 MB): beyond it, weights are packed per call as without the scope.
    private const long MaxFloats = 128L << 20;

    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static Dictionary<Key, float[]>? t_packed;
    [ThreadStatic] private static long t_floats;

    private readonly bool _open;

    private ConstantWeights(bool open) => _open = open;

    /// <summary>Opens a scope on this thread.</summary>
    public static ConstantWeights Enter()
    {
        t_depth++;
        return new ConstantWeights(true);
    }

    /// <summary>Closes the scope; the outermost one drops the packed weights.</summary>
    public void Dispose()
    {
        if (!_open || t_depth == 0) return;
        if (--t_depth == 0)
        {
            t_packed?.Clear();
            t_floats = 0;
        }
    }

    /// <summary>
    /// <c>Wᵀ</c> packed for <see cref="ManagedGemm.MultiplyPackedB"/>, where <paramref name="weight"/> is a linear layer's
    /// <c>[out, in]</c> weight (<paramref name="owner"/> its tensor): packed on first use in the scope, then reused. Null
    /// when no scope is open, for the scalar micro-kernel (no SIMD: the blocked GEMM's small paths serve better), when the
    /// tensor's storage is pooled (a temporary whose buffer another tensor may take over inside the scope) or when the cache
    /// is full.
    /// </summary>
    internal static unsafe float* PackedTranspose(Tensor owner, in MatrixOperand weight, ManagedGemm gemm)
    {
        if (t_depth == 0 || gemm.Kind == GemmKernelKind.Scalar || owner.HasPooledStorage) return null;
        var key = new Key(weight.Data.Array, weight.Data.Offset, weight.Rows, weight.Cols, weight.Ld, weight.Transposed);
        var packed = t_packed ??= [];
        if (!packed.TryGetValue(key, out var buffer))
        {
            long floats = gemm.PackedBFloats(weight.T);
            if (floats > Array.MaxLength || t_floats + floats > MaxFloats) return null;
            // Pinned, so the pointer handed out stays valid until the scope ends.
            buffer = GC.AllocateUninitializedArray<float>((int)Math.Max(floats, 1), pinned: true);
            fixed (float* dst = buffer) gemm.PackWholeB(weight.T, dst);
            packed.Add(key, buffer);
            t_floats += floats;
        }
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }

    // A weight is its storage and the matrix read from it (a supernet's sub-block views of one array are different weights).
    private readonly record struct Key(float[] Array, int Offset, int Rows, int Cols, int Ld, bool Transposed);
}
