using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Conv;
using FormerSearch.Engine.Kernels.Elementwise;
using FormerSearch.Engine.Kernels.Softmax;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>
/// The kernels' argument type: a slice never reaches outside its array, and a kernel handed a slice too short for the
/// work it was asked to do throws before touching memory (it used to read past a tensor given a wrong offset).
/// </summary>
public sealed class FloatSliceTests
{
    [Fact]
    public void A_slice_stays_inside_its_array()
    {
        var array = new float[10];
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloatSlice(array, 4, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloatSlice(array, 11, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloatSlice(array, -1, 2));
        var slice = new FloatSlice(array, 4, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => slice.Slice(2, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => slice.Row(3, 2));
        Assert.Throws<IndexOutOfRangeException>(() => slice[6]);
        Assert.Equal(0, slice.Slice(6).Length);
    }

    [Fact]
    public void Elements_are_read_and_written_where_the_slice_says()
    {
        float[] array = [0, 1, 2, 3, 4, 5, 6, 7];
        var slice = new FloatSlice(array, 2, 5);
        Assert.Equal([4f, 5f], slice.Row(1, 2).ToArray());
        Assert.Equal([5f, 6f], slice.Slice(3).AsSpan().ToArray());
        slice[4] = -1f;
        Assert.Equal(-1f, array[6]);
        Assert.Equal([2f, 3f, 4f, 5f, -1f], ((ReadOnlySpan<float>)slice).ToArray());
    }

    [Fact]
    public void Kernels_reject_slices_shorter_than_their_work()
    {
        var x = new float[20];
        var dx = new float[20];
        Assert.Throws<ArgumentException>(() => ActivationKernels.Forward(ActivationKind.Gelu, x, new float[19]));
        Assert.Throws<ArgumentException>(() => ActivationKernels.Backward(ActivationKind.Silu, x, new float[19], dx));
        Assert.Throws<ArgumentException>(() => SoftmaxKernels.Forward(false, x, new float[16], 5));
        Assert.Throws<ArgumentException>(() => SoftmaxKernels.Backward(true, x, x, new float[10], 4));
        var s = new ConvShape(1, 4, 4, 2, 3, 3, 1, 1, 1, 1);
        Assert.Throws<ArgumentException>(() => DepthwiseConv2dKernel.Forward(new float[31], new float[18], null, new float[32], s));
        Assert.Throws<ArgumentException>(() => DepthwiseConv2dKernel.Forward(new float[32], new float[18], new float[1], new float[32], s));
        Assert.Throws<ArgumentException>(() => Im2Col.Gather(new float[32], s, 1, new float[16 * 18 - 1]));
        int[] shape = [3, 4];
        var layout = BroadcastLayout.Create(shape, shape, [4, 1], [4], [1]);
        Assert.Throws<ArgumentException>(() => BroadcastKernels.Binary(BinaryOp.Add, layout, new float[11], new float[4], new float[12]));
        Assert.Throws<ArgumentException>(() => BroadcastKernels.Binary(BinaryOp.Add, layout, new float[12], new float[3], new float[12]));
        Assert.Throws<ArgumentException>(() => BroadcastKernels.Binary(BinaryOp.Add, layout, new float[12], new float[4], new float[11]));
    }

    [Fact]
    public void A_tensor_gives_kernels_exactly_its_elements()
    {
        var t = Tensor.FromArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 3, 4);
        var view = t.Narrow(0, 1, 2);                   // rows 1 and 2: contiguous, 8 elements from element 4
        Assert.Equal(4, view.Elements.Offset);
        Assert.Equal(8, view.Elements.Length);
        var block = t.Block(1, 2, 1, 2);                // rows 1-2, columns 1-2: strided
        Assert.Throws<InvalidOperationException>(() => block.Elements);
        Assert.Equal(5, block.StridedElements.Offset);  // element [1, 1]
        Assert.Equal(6, block.StridedElements.Length);  // through element [2, 2] = 10
        Assert.Equal(0, t.Narrow(0, 0, 0).StridedElements.Length);
        var transposed = t.Transpose(0, 1);
        Assert.Equal(12, transposed.StridedElements.Length);
    }
}
