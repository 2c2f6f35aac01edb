using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using FormerSearch.Engine.Memory;

namespace FormerSearch.Engine;

public partial class Tensor
{
    private const long Live = -1;

    // Live while the tensor is in use; once the scope that owns it has ended, the scope generation of this thread
    // (TensorScope.Generation) at which it was released. Every member that reads the tensor checks it.
    private long _releasedIn = Live;

    /// <summary>True once the scope that owned this tensor has ended (until its object is handed out again).</summary>
    internal bool IsReleased => _releasedIn != Live;

    /// <summary>The scope generation at which this tensor was released (<see cref="TensorObjectPool"/> reuses it after a later one).</summary>
    internal long ReleasedIn => _releasedIn;

    /// <summary>A tensor object: inside a scope, one that an earlier scope released (see <see cref="TensorObjectPool"/>), else a new one.</summary>
    private static Tensor RentObject()
    {
        if (!TensorScope.IsActive || TensorObjectPool.TryRent() is not { } t) return new Tensor();
        t._releasedIn = Live;
        return t;
    }

    /// <summary>
    /// Called by the scope that owns this tensor when it ends: the buffer goes back to the pool and the object is
    /// marked released in the current scope generation, so that any later use throws. Its shape is kept, so every
    /// path through the tensor's members reaches a check rather than an empty shape.
    /// </summary>
    internal void ReleaseToPool()
    {
        if (_ownsPooledBuffer) BufferPool.Return(_data);
        _data = [];
        _offset = 0;
        Base = null;
        _grad = null;
        _gradZeroPending = false;
        GradFn = null;
        RequiresGrad = false;
        _ownsPooledBuffer = false;
        _releasedIn = TensorScope.Generation;
        if (GetType() == typeof(Tensor)) TensorObjectPool.Return(this);
    }

    /// <summary>Makes a scoped tensor an ordinary one whose buffer the garbage collector owns.</summary>
    internal void DetachFromPool() => _ownsPooledBuffer = false;

    /// <summary>Throws when the tensor's scope has ended: using it then is a bug (it would read another tensor's data).</summary>
    /// <exception cref="ObjectDisposedException">It has.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ThrowIfReleased()
    {
        if (_releasedIn != Live) ThrowReleased();
    }

    [DoesNotReturn]
    private void ThrowReleased() =>
        throw new ObjectDisposedException(nameof(Tensor), $"This tensor was released when its TensorScope ended (scope generation {_releasedIn}); "
            + "a tensor that must outlive its scope is kept with TensorScope.MoveToOuter or created outside any scope.");
}
