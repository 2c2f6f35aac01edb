using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using SkiaSharp;

namespace FormerSearch.Data.Folders;

/// <summary>
/// Writes a uint8 data set out as an image folder (torchvision's <c>ImageFolder</c> layout): one sub-folder per class, named
/// by its zero-padded label and its class name (<c>0-T-shirt_top</c>, …, so that sorting the names keeps the labels), one
/// lossless file per image (<c>000123.png</c>). Read back with <c>folder:DIR</c>, the pixels are the same.
/// </summary>
public static class ImageFolderWriter
{
    /// <summary>The image formats written: PNG (lossless, the default), JPEG and WebP (lossy, quality 95).</summary>
    public static IReadOnlyDictionary<string, SKEncodedImageFormat> Formats { get; } = new Dictionary<string, SKEncodedImageFormat>(StringComparer.OrdinalIgnoreCase)
    {
        ["png"] = SKEncodedImageFormat.Png, ["jpeg"] = SKEncodedImageFormat.Jpeg, ["jpg"] = SKEncodedImageFormat.Jpeg, ["webp"] = SKEncodedImageFormat.Webp,
    };

    /// <summary>
    /// Writes the first <paramref name="limit"/> images (all when null) of <paramref name="data"/> into <paramref name="directory"/>
    /// as <paramref name="format"/> files, on <paramref name="threads"/> threads, and returns how many were written.
    /// </summary>
    /// <exception cref="UserInputException">The data set holds float pixels, or the directory cannot be written.</exception>
    public static int Write(ImageDataset data, string directory, SKEncodedImageFormat format, int? limit, int threads, IDecodeProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.IsUInt8) throw new UserInputException($"{data.Name} holds float32 pixels; only uint8 images can be written as image files.");
        if (data.Channels is not (1 or 3)) throw new UserInputException($"{data.Name} has {data.Channels} channels; image files hold 1 (grey) or 3 (RGB).");
        int count = Math.Min(limit ?? data.Count, data.Count);
        int digits = Math.Max(1, (data.NumClasses - 1).ToString(CultureInfo.InvariantCulture).Length);
        var folders = new string[data.NumClasses];
        try
        {
            for (int k = 0; k < folders.Length; k++)
            {
                string label = k.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
                folders[k] = Path.Combine(directory, data.ClassNames is { } names ? $"{label}-{Sanitise(names[k])}" : label);
            }
            // Only the classes of the images written get a folder: an empty class folder is an error when the folder is read.
            foreach (int k in data.Labels.Take(count).Distinct()) Directory.CreateDirectory(folders[k]);
            string extension = format == SKEncodedImageFormat.Jpeg ? ".jpg" : format == SKEncodedImageFormat.Webp ? ".webp" : ".png";
            int nameDigits = Math.Max(6, count.ToString(CultureInfo.InvariantCulture).Length);
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
            {
                string path = Path.Combine(folders[data.Labels[i]], i.ToString(CultureInfo.InvariantCulture).PadLeft(nameDigits, '0') + extension);
                AtomicFile.WriteAllBytes(path, Encode(data.ImageBytes(i), data.Height, data.Width, data.Channels, format));
                progress?.Advance(1);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot write the image folder '{directory}': {e.Message}", e);
        }
        return count;
    }

    /// <summary>One <c>[h, w, c]</c> image (c = 1 grey, 3 RGB or 4 RGBA) encoded in <paramref name="format"/> (lossy formats at <paramref name="quality"/>).</summary>
    /// <exception cref="ArgumentException">Another channel count.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int height, int width, int channels, SKEncodedImageFormat format, int quality = 95)
    {
        if (channels is not (1 or 3 or 4)) throw new ArgumentException($"Image files hold 1, 3 or 4 channels, not {channels}.", nameof(channels));
        var info = channels == 1 ? new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(width, height, SKColorType.Rgba8888, channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var buffer = new byte[info.BytesSize];
        if (channels == 1) pixels[..buffer.Length].CopyTo(buffer);
        else
        {
            for (int p = 0; p < width * height; p++)
            {
                buffer[4 * p] = pixels[channels * p];
                buffer[4 * p + 1] = pixels[channels * p + 1];
                buffer[4 * p + 2] = pixels[channels * p + 2];
                buffer[4 * p + 3] = channels == 4 ? pixels[4 * p + 3] : (byte)255;
            }
        }
        using var bitmap = new SKBitmap();
        unsafe
        {
            fixed (byte* p = buffer)
            {
                bitmap.InstallPixels(info, (IntPtr)p, info.RowBytes);
                using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"SkiaSharp cannot encode {format}.");
                return data.ToArray();
            }
        }
    }

    // A class name as a folder name: no separators or other characters file systems refuse.
    private static string Sanitise(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ' ' ? c : '_')).Trim();
}
