using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FormerSearch.Engine.Kernels.Gemm;

/// <summary>
/// One thread's pack buffers for <see cref="ManagedGemm"/>. They are allocated on the pinned object heap
/// the first time a thread needs them (and again only if a larger block size asks for more), so a GEMM
/// in steady state allocates nothing and can hand raw, 64-byte-aligned pointers to the kernels.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int Alignment = 64;

    [ThreadStatic] private static GemmWorkspace? t_current;

    private float[] _a = [];
    private float[] _b = [];
    private float[] _tile = [];

    /// <summary>Aligned start of the packed-A buffer.</summary>
    public float* A { get; private set; }

    /// <summary>Aligned start of the packed-B buffer.</summary>
    public float* B { get; private set; }

    /// <summary>Aligned scratch tile for partial micro-tiles at the edges of C.</summary>
    public float* Tile { get; private set; }

    /// <summary>The calling thread's workspace, grown to at least the given sizes (in floats).</summary>
    public static GemmWorkspace ForCurrentThread(int aSize, int bSize, int tileSize)
    {
        var ws = t_current ??= new GemmWorkspace();
        if (ws._a.Length < aSize + Alignment) ws.A = Allocate(ref ws._a, aSize);
        if (ws._b.Length < bSize + Alignment) ws.B = Allocate(ref ws._b, bSize);
        if (ws._tile.Length < tileSize + Alignment) ws.Tile = Allocate(ref ws._tile, tileSize);
        return ws;
    }

    private static float* Allocate(ref float[] array, int size)
    {
        array = GC.AllocateUninitializedArray<float>(size + Alignment, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        nint aligned = (address + (Alignment - 1)) & ~(nint)(Alignment - 1);
        return (float*)aligned;
    }
}
