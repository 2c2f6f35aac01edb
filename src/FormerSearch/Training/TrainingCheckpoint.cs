using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Optim;
using FormerSearch.Models;

namespace FormerSearch.Training;

/// <summary>
/// A resumable snapshot of a run in one safetensors file, written atomically: the model's state (<c>model.*</c>), the
/// optimiser's (<c>optimizer.*</c>), the weight average's (<c>ema.*</c>), and as metadata the position, the model's
/// random generator and a fingerprint of the recipe so a resume with different settings is refused.
/// </summary>
public static class TrainingCheckpoint
{
    private const string Format = "former-training-checkpoint/1";

    /// <summary>Writes the snapshot to <paramref name="path"/> (temporary file, then rename); <paramref name="worldSize"/> is the run's rank count.</summary>
    public static void Save(string path, VisionModel model, Optimizer optimizer, ModelEma? ema, TrainingPosition position, string fingerprint, int worldSize = 1)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (k, v) in model.StateDict()) tensors.Add(new("model." + k, v));
        foreach (var (k, v) in optimizer.StateDict()) tensors.Add(new("optimizer." + k, v));
        if (ema is not null)
            foreach (var (k, v) in ema.State) tensors.Add(new("ema." + k, v));
        var (a, b, c, d) = model.Randomness?.State ?? (0u, 0u, 0u, 0u);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["fingerprint"] = fingerprint,
            ["epoch"] = Text(position.Epoch),
            ["batch"] = Text(position.Batch),
            ["step"] = Text(position.Step),
            ["epoch_loss_sum"] = position.EpochLossSum.ToString("R", CultureInfo.InvariantCulture),
            ["epoch_hits"] = Text(position.EpochHits),
            ["epoch_images"] = Text(position.EpochImages),
            ["metrics_lines"] = Text(position.MetricsLines ?? 0),
            ["rng"] = string.Join(',', Text(a), Text(b), Text(c), Text(d)),
            ["world_size"] = Text(worldSize),
            // Which parameters have a gradient: optimisers skip the others, so the resumed run must match (supernet
            // alternatives get one only once a sampled subnet has used them).
            ["with_grad"] = string.Join(',', model.Parameters().Select((p, i) => (p, i)).Where(t => t.p.Grad is not null).Select(t => Text(t.i))),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>
    /// Restores <paramref name="model"/>, <paramref name="optimizer"/> and <paramref name="ema"/> from <paramref name="path"/> and
    /// returns the position to continue from. After a failure the run must not go on (some state may be loaded).
    /// </summary>
    /// <exception cref="UserInputException">The file is not a training checkpoint, is damaged, or was written by a run with a different recipe, model or data (the fingerprints differ) or another number of ranks than <paramref name="worldSize"/>.</exception>
    public static TrainingPosition Load(string path, VisionModel model, Optimizer optimizer, ModelEma? ema, string fingerprint, int worldSize = 1)
    {
        var meta = CheckedMetadata(path, fingerprint, worldSize);
        var position = new TrainingPosition(Int(meta, "epoch", path), Int(meta, "batch", path), Int(meta, "step", path),
            Double(meta, "epoch_loss_sum", path), Int(meta, "epoch_hits", path), Int(meta, "epoch_images", path),
            meta.ContainsKey("metrics_lines") ? Int(meta, "metrics_lines", path) : null);
        var rng = (meta.GetValueOrDefault("rng") ?? "").Split(',');
        if (rng.Length != 4 || !rng.All(s => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new UserInputException($"{path} has no valid generator state.");

        var all = SafeTensors.Load(path);
        var modelState = Section(all, "model.");
        var optimizerState = Section(all, "optimizer.");
        var emaState = Section(all, "ema.");
        if (ema is not null && emaState.Count != ema.State.Count)
            throw new UserInputException($"{path} holds no weight average but this run keeps one; resume with the same options.");
        try
        {
            model.LoadStateDict(modelState, strict: true);
            optimizer.LoadStateDict(optimizerState);
        }
        catch (Exception e) when (e is ArgumentException or UserInputException) // the loaders refuse a state of other names or shapes
        {
            throw new UserInputException($"{path} does not fit this run: {e.Message}", e);
        }
        if (ema is not null)
            foreach (var (k, v) in emaState)
            {
                if (!ema.State.TryGetValue(k, out var target) || !target.Shape.SequenceEqual(v.Shape))
                    throw new UserInputException($"{path}: weight average entry '{k}' does not fit this model.");
                target.CopyFrom(v);
            }
        if (meta.TryGetValue("with_grad", out var withGrad) && withGrad.Length > 0)
        {
            var parameters = model.Parameters().ToArray();
            foreach (var index in withGrad.Split(','))
                if (int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < parameters.Length) parameters[i].EnsureGradient();
        }
        if (model.Randomness is { } generator)
            generator.State = (uint.Parse(rng[0], CultureInfo.InvariantCulture), uint.Parse(rng[1], CultureInfo.InvariantCulture),
                uint.Parse(rng[2], CultureInfo.InvariantCulture), uint.Parse(rng[3], CultureInfo.InvariantCulture));
        return position;
    }

    /// <summary>
    /// Refuses to resume <paramref name="path"/> unless it was written by a run of <paramref name="fingerprint"/>; reads the
    /// header alone, so a run can check before it writes anything.
    /// </summary>
    /// <exception cref="UserInputException">The file is not a training checkpoint, or its run had other settings (the message names the first that differs) or another number of ranks than <paramref name="worldSize"/>.</exception>
    public static void CheckResumable(string path, string fingerprint, int worldSize = 1) => CheckedMetadata(path, fingerprint, worldSize);

    private static IReadOnlyDictionary<string, string> CheckedMetadata(string path, string fingerprint, int worldSize)
    {
        var meta = SafeTensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new UserInputException($"{path} is not a former training checkpoint.");
        // A checkpoint from before data parallelism was written by one process.
        int written = meta.ContainsKey("world_size") ? Int(meta, "world_size", path) : 1;
        if (written != worldSize)
            throw new UserInputException($"{path} was written by a run of {written} rank(s) and this run has {worldSize}; resume it "
                + (written == 1 ? "without mpirun." : $"with mpirun -np {written}."));
        string saved = meta.GetValueOrDefault("fingerprint") ?? "";
        if (saved == fingerprint) return meta;
        // Name the first setting that differs, not the whole recipe (which runs to a screenful).
        char[] separators = [';', ',', '{', '}'];
        var then = saved.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var now = fingerprint.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int i = 0;
        while (i < then.Length && i < now.Length && then[i] == now[i]) i++;
        string was = i < then.Length ? then[i] : "nothing more", isNow = i < now.Length ? now[i] : "nothing more";
        throw new UserInputException($"{path} was written by a run with other settings ({was} there, {isNow} now); resume with the same model, data and options, or train into a new --output.");
    }

    private static Dictionary<string, Tensor> Section(Dictionary<string, Tensor> all, string prefix) =>
        all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Int(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out var s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
        : throw new UserInputException($"{path} has no valid '{key}' in its metadata.");

    private static double Double(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
        : throw new UserInputException($"{path} has no valid '{key}' in its metadata.");
}
