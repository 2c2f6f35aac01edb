using System.Text.Json;
using System.Text.Unicode;

namespace FormerSearch.Engine.IO;

/// <summary>
/// Checks a safetensors header, as the reference implementation does, before any tensor is read: UTF-8 JSON, an object
/// without a key twice, each tensor with a known dtype, a shape of non-negative sizes whose element count times the dtype's
/// size is its byte range, and (strictly) ranges inside the data section that cover it exactly, in order, without gaps
/// or overlaps; <c>__metadata__</c> a map of strings.
/// </summary>
internal static class SafeTensorsHeaderParser
{
    /// <summary>
    /// The tensors (in file order) and metadata of <paramref name="header"/>, for a data section of <paramref name="dataLength"/>
    /// bytes. Without <paramref name="strict"/> (reading shapes alone), malformed tensor entries are left out and the ranges
    /// are not checked against the data.
    /// </summary>
    /// <exception cref="UserInputException">The header is malformed; the message names <paramref name="source"/>.</exception>
    public static (List<SafeTensorsEntry> Tensors, Dictionary<string, string> Metadata) Parse(ReadOnlySpan<byte> header, long dataLength, string source, bool strict)
    {
        // A name that is not UTF-8 would otherwise fail later, when the name is decoded, with an exception that is not an input error.
        if (!Utf8.IsValid(header)) throw SafeTensors.Bad(source, "its header is not valid UTF-8 text");
        JsonDocument document;
        try { document = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw SafeTensors.Bad(source, $"its header is not valid JSON ({InputText.Clip(e.Message, 90)})"); }

        var tensors = new List<SafeTensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw SafeTensors.Bad(source, "its header is not a JSON object");
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw SafeTensors.Bad(source, "its __metadata__ is not a map of strings");
                    foreach (var p in entry.Value.EnumerateObject())
                    {
                        if (p.Value.ValueKind != JsonValueKind.String) throw SafeTensors.Bad(source, $"its metadata value {InputText.Quote(p.Name)} is not a string");
                        metadata[p.Name] = p.Value.GetString()!;
                    }
                }
                else if (strict) tensors.Add(Tensor(entry, dataLength, source));
                else
                {
                    try { tensors.Add(Tensor(entry, long.MaxValue, source)); }
                    catch (UserInputException) { } // reported by a strict read of the whole file
                }
            }
        }
        if (strict) CheckCoverage(tensors, dataLength, source);
        return (tensors, metadata);
    }

    private static SafeTensorsEntry Tensor(JsonProperty entry, long dataLength, string source)
    {
        string name = InputText.Quote(entry.Name);
        var e = entry.Value;
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw SafeTensors.Bad(source, $"tensor {name} lacks a dtype, shape or data_offsets");
        string dtype = dtypeEl.GetString()!;
        int elementSize = dtype switch { "F32" => 4, "F16" => 2, "BF16" => 2, "I64" => 8, _ => 0 };
        if (elementSize == 0) throw SafeTensors.Bad(source, $"tensor {name} has dtype {InputText.Quote(dtype, 16)}; F32, F16, BF16 and I64 are supported");

        int rank = shapeEl.GetArrayLength();
        if (rank > Engine.Tensor.MaxRank) throw SafeTensors.Bad(source, $"tensor {name} has {rank} dimensions; at most {Engine.Tensor.MaxRank} are supported");
        var shape = new int[rank];
        long numel = 1;
        int d = 0;
        foreach (var s in shapeEl.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out shape[d]) || shape[d] < 0) throw SafeTensors.Bad(source, $"tensor {name} has an invalid shape");
            numel *= shape[d++]; // at most Array.MaxLength × int.MaxValue: no overflow
            if (numel > Array.MaxLength) throw SafeTensors.Bad(source, $"tensor {name} has more elements than one buffer can hold");
        }
        if (offEl[0].ValueKind != JsonValueKind.Number || offEl[1].ValueKind != JsonValueKind.Number
            || !offEl[0].TryGetInt64(out long begin) || !offEl[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw SafeTensors.Bad(source, $"tensor {name} has invalid data_offsets");
        if (end > dataLength) throw SafeTensors.Bad(source, $"tensor {name} ends at byte {end} but the data section has {dataLength} bytes (truncated)");
        if (end - begin != numel * elementSize)
            throw SafeTensors.Bad(source, $"tensor {name} has {end - begin} bytes but shape {Engine.Tensor.FormatShape(shape)} of {dtype} needs {numel * elementSize}");
        return new SafeTensorsEntry(entry.Name, dtype, elementSize, shape, begin, end);
    }

    // The data section is exactly the tensors' ranges laid end to end: a gap, an overlap or bytes past the last tensor mean
    // a header that does not describe its data (a header length off by one, say).
    private static void CheckCoverage(List<SafeTensorsEntry> tensors, long dataLength, string source)
    {
        var byOffset = tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long covered = 0;
        for (int i = 0; i < byOffset.Count; i++)
        {
            var t = byOffset[i];
            if (t.Begin < covered)
                throw SafeTensors.Bad(source, $"tensors {InputText.Quote(byOffset[i - 1].Name)} and {InputText.Quote(t.Name)} overlap (bytes {t.Begin} to {Math.Min(covered, t.End)})");
            if (t.Begin > covered) throw SafeTensors.Bad(source, $"bytes {covered} to {t.Begin} of its data belong to no tensor");
            covered = t.End;
        }
        if (covered != dataLength)
            throw SafeTensors.Bad(source, $"its tensors cover {covered} bytes but its data section has {dataLength} (a wrong header length, or bytes appended)");
    }
}
