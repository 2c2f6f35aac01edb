using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Threading;
using FormerSearch.Models;

namespace FormerSearch.Inference;

/// <summary>
/// Conversions between PyTorch's NCHW image batches (what .npy files exported from NumPy/PyTorch hold) and
/// the engine's channels-last <c>[B, H, W, C]</c> layout.
/// </summary>
public static class ImageLayout
{
    /// <summary>Copies an NCHW batch <c>[B, C, H, W]</c> (any strides) into a new contiguous channels-last tensor <c>[B, H, W, C]</c>.</summary>
    /// <remarks>Inside a <see cref="Engine.Memory.TensorScope"/> the result takes a pooled buffer; no gradient is recorded through it when the tape is off.</remarks>
    /// <exception cref="ArgumentException"><paramref name="nchw"/> is not 4-D.</exception>
    public static Tensor NchwToNhwc(Tensor nchw)
    {
        if (nchw.Rank != 4) throw new ArgumentException($"An NCHW image batch must be 4-D [B, C, H, W]; got {Tensor.FormatShape(nchw.Shape)}.");
        if (!nchw.IsContiguous || Tape.Needs(nchw))
        {
            // Strided or differentiable input: a permuted view and one recorded strided copy (general, about 10x slower).
            var view = nchw.Permute(0, 2, 3, 1);
            return view.IsContiguous ? view.Clone() : view.Contiguous();
        }
        int b = nchw.Size(0), c = nchw.Size(1), h = nchw.Size(2), w = nchw.Size(3);
        var nhwc = Tensor.Empty(b, h, w, c);
        // One range item is one image row (b, y): it reads C source rows and writes one destination row, so
        // threads never share an output and results do not depend on the split. A grain of a few rows keeps
        // small images from paying the fork cost per row.
        ParallelRunner.For(b * h, Math.Max(1, 4096 / Math.Max(1, w * c)), new NchwToNhwcRows(nchw, nhwc));
        return nhwc;
    }

    private readonly struct NchwToNhwcRows(Tensor source, Tensor destination) : IRangeBody
    {
        public void Invoke(int start, int end)
        {
            int c = source.Size(1), h = source.Size(2), w = source.Size(3), plane = h * w;
            ReadOnlySpan<float> src = source.AsSpan();
            Span<float> dst = destination.AsSpan();
            for (int row = start; row < end; row++)
            {
                int image = row / h, y = row % h;
                var outRow = dst.Slice(row * w * c, w * c);                           // [W, C] of image row (image, y)
                var inRows = src.Slice(image * c * plane + y * w, (c - 1) * plane + w); // channel ci's row starts at ci * plane
                if (c == 3)
                {
                    // RGB, the common case: one sequential pass over the output row.
                    var r = inRows[..w];
                    var g = inRows.Slice(plane, w);
                    var b = inRows.Slice(2 * plane, w);
                    for (int x = 0; x < r.Length; x++)
                    {
                        var pixel = outRow.Slice(3 * x, 3);
                        pixel[0] = r[x];
                        pixel[1] = g[x];
                        pixel[2] = b[x];
                    }
                }
                else
                {
                    for (int ci = 0; ci < c; ci++)
                    {
                        var inRow = inRows.Slice(ci * plane, w);                  // [W] of channel ci
                        for (int x = 0; x < inRow.Length; x++) outRow[x * c + ci] = inRow[x];
                    }
                }
            }
        }
    }
    /// <summary>Throws unless <paramref name="nchw"/> is a 4-D <c>[B, C, H, W]</c> batch of <paramref name="input"/>'s size with B ≥ 1.</summary>
    /// <param name="nchw">The batch.</param>
    /// <param name="input">The size the model was built for.</param>
    /// <param name="source">Names the batch in the message (a file name).</param>
    /// <exception cref="UserInputException">The rank, channel count or spatial size differs, or the batch is empty.</exception>
    public static void CheckNchw(Tensor nchw, ModelInput input, string source)
    {
        if (nchw.Rank != 4)
            throw new UserInputException($"{source} must hold a 4-D NCHW image batch [B, C, H, W]; it has shape {Tensor.FormatShape(nchw.Shape)}.");
        if (nchw.Size(0) < 1)
            throw new UserInputException($"{source} holds an empty batch (shape {Tensor.FormatShape(nchw.Shape)}).");
        if (nchw.Size(1) != input.Channels)
            throw new UserInputException($"{source} has {nchw.Size(1)} channels (shape {Tensor.FormatShape(nchw.Shape)}) but the model takes {input.Channels}.");
        if (nchw.Size(2) != input.Height || nchw.Size(3) != input.Width)
            throw new UserInputException($"{source} has {nchw.Size(2)}x{nchw.Size(3)} images but the model was built for {input.Height}x{input.Width}.");
    }
}
