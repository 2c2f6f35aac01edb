using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Data;

/// <summary>
/// The CIFAR binary format: records of label byte(s) followed by a 32×32×3 image stored channel by
/// channel (1024 red, 1024 green, 1024 blue bytes, rows top to bottom). CIFAR-10 has one label byte;
/// CIFAR-100 two (coarse, then the fine label used here).
/// </summary>
public static class CifarBinary
{
    /// <summary>Image side in pixels.</summary>
    public const int Side = 32;

    /// <summary>Bytes of one image (3·32·32).</summary>
    public const int ImageBytes = 3 * Side * Side;

    // The largest archive member read: CIFAR's biggest file (train.bin of CIFAR-100) is 150 MB.
    private const long MaxMemberBytes = 1L << 30;

    private const int Cifar100CoarseClasses = 20;

    /// <summary>
    /// Appends the records of <paramref name="path"/> to <paramref name="pixels"/> (channels-last,
    /// <c>[H, W, 3]</c> per image) and <paramref name="labels"/>.
    /// </summary>
    /// <param name="labelBytes">1 for CIFAR-10, 2 for CIFAR-100 (the second, fine, label is kept).</param>
    /// <param name="numClasses">Labels must be below this.</param>
    /// <exception cref="UserInputException">The file does not exist, or its length is not a whole number of records, or a label is out of range; the message names it.</exception>
    public static void ReadInto(string path, int labelBytes, int numClasses, List<byte[]> pixels, List<int> labels)
    {
        if (!File.Exists(path)) throw new UserInputException($"CIFAR file '{path}' does not exist.");
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot read CIFAR file {InputText.QuotePath(path)}: {InputText.Clip(e.Message, 100)}", e);
        }
        Parse(raw, path, labelBytes, numClasses, pixels, labels);
    }

    /// <summary>
    /// The members of a downloaded CIFAR archive (<c>cifar-10-binary.tar.gz</c>, <c>cifar-100-binary.tar.gz</c>)
    /// whose file names are in <paramref name="names"/>, read without unpacking it, keyed by file name.
    /// </summary>
    /// <exception cref="UserInputException">The archive is corrupt or truncated; the message names it.</exception>
    public static Dictionary<string, byte[]> ReadFromArchive(string archive, IReadOnlyCollection<string> names)
    {
        var found = new Dictionary<string, byte[]>();
        try
        {
            using var file = File.OpenRead(archive);
            using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
            using var tar = new System.Formats.Tar.TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = Path.GetFileName(entry.Name);
                if (entry.DataStream is null || !names.Contains(name)) continue;
                if (entry.Length > MaxMemberBytes)
                    throw new UserInputException($"{InputText.QuotePath(archive)} is not a valid CIFAR .tar.gz archive: its member {InputText.Quote(name)} claims {entry.Length:N0} bytes; download it again.");
                using var memory = new MemoryStream((int)entry.Length);
                entry.DataStream.CopyTo(memory);
                found[name] = memory.ToArray();
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{InputText.QuotePath(archive)} is not a valid CIFAR .tar.gz archive ({InputText.Clip(e.Message, 100)}); download it again.", e);
        }
        return found;
    }

    /// <summary>Appends the records held in <paramref name="raw"/> (named <paramref name="source"/> in errors); see <see cref="ReadInto"/>.</summary>
    /// <exception cref="UserInputException">As <see cref="ReadInto"/>.</exception>
    public static void Parse(byte[] raw, string source, int labelBytes, int numClasses, List<byte[]> pixels, List<int> labels)
    {
        int record = labelBytes + ImageBytes;
        if (raw.Length == 0 || raw.Length % record != 0)
            throw new UserInputException($"{InputText.QuotePath(source)} is not a valid CIFAR binary file: its {raw.Length} bytes are not a whole number of {record}-byte records (truncated or the wrong CIFAR version); download it again.");
        int n = raw.Length / record;
        var hwc = new byte[n * ImageBytes];
        const int plane = Side * Side;
        for (int i = 0; i < n; i++)
        {
            int at = i * record;
            int label = raw[at + labelBytes - 1];
            if (label >= numClasses)
                throw new UserInputException($"{InputText.QuotePath(source)} is not a valid CIFAR binary file: record {i} has label {label}, outside [0, {numClasses}) (is it the other CIFAR version?).");
            // CIFAR-100's first byte is the coarse label, one of 20 superclasses.
            if (labelBytes == 2 && raw[at] >= Cifar100CoarseClasses)
                throw new UserInputException($"{InputText.QuotePath(source)} is not a valid CIFAR binary file: record {i} has coarse label {raw[at]}, outside [0, {Cifar100CoarseClasses}).");
            labels.Add(label);
            var src = raw.AsSpan(at + labelBytes, ImageBytes);
            var dst = hwc.AsSpan(i * ImageBytes, ImageBytes);
            for (int p = 0; p < plane; p++)
            {
                dst[3 * p] = src[p];
                dst[3 * p + 1] = src[plane + p];
                dst[3 * p + 2] = src[2 * plane + p];
            }
        }
        pixels.Add(hwc);
    }
}
