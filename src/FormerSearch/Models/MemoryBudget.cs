using System.Globalization;
using FormerSearch.Engine;
using FormerSearch.Models.Profiling;

namespace FormerSearch.Models;

/// <summary>
/// The one check, before anything is allocated, that a run fits this machine's memory: a model's parameters come from
/// its analytic profile (nothing is built) and its activations from the profile's per-image output shapes times the
/// batch. The estimate is a lower bound (float32 weights; training adds gradients and two optimiser moments and keeps
/// every layer's output for the backward pass; inference holds the largest layer's input and output), so a refusal is
/// certain to be right, and a size that passes can still be tight.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Bytes this process may use: the GC's view of the machine's (or container's) memory.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Bytes the weights of <paramref name="profile"/> take (four per parameter; sixteen when training, with gradients and two moments).</summary>
    public static double WeightBytes(ModelProfile profile, bool training) => profile.Params * (training ? 16.0 : 4.0);

    /// <summary>Bytes one image's activations take: every layer's output when training, the largest layer's input and output otherwise.</summary>
    public static double ActivationBytesPerImage(ModelProfile profile, bool training)
    {
        double sum = profile.Input.Channels * (double)profile.Input.Height * profile.Input.Width, largest = sum;
        foreach (var layer in profile.Layers)
        {
            double elements = 1;
            foreach (int d in layer.OutputShape) elements *= d;
            sum += elements;
            largest = Math.Max(largest, elements);
        }
        return 4.0 * (training ? sum : 2 * largest);
    }

    /// <summary>
    /// Throws unless <paramref name="profile"/>'s model, run on batches of <paramref name="batchSize"/> images (trained
    /// when <paramref name="training"/>), fits <see cref="AvailableBytes"/>; the message says how much it needs and what
    /// batch would fit.
    /// </summary>
    /// <exception cref="UserInputException">It does not fit.</exception>
    public static void Check(ModelProfile profile, int batchSize, bool training)
    {
        double weights = WeightBytes(profile, training), perImage = ActivationBytesPerImage(profile, training);
        double need = weights + perImage * batchSize;
        long available = AvailableBytes;
        if (need <= available) return;
        double spare = available - weights;
        string fits = spare >= perImage
            ? string.Create(CultureInfo.InvariantCulture, $"a batch of at most {Math.Floor(spare / perImage):N0} fits")
            : "not even one image fits: choose a smaller model or input";
        throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
            $"{(training ? "Training" : "Running")} {profile.Model} at {profile.Input} with {profile.NumClasses:N0} classes on batches of {batchSize:N0} needs at least {Bytes(need)} ({profile.Params:N0} parameters) but this machine has {Bytes(available)}; {fits}."));
    }

    /// <summary>
    /// Throws unless training <paramref name="space"/>'s supernet at <paramref name="options"/> on batches of
    /// <paramref name="batchSize"/> fits: its largest architecture's weights and activations (a lower bound: the
    /// supernet also keeps the alternatives that architecture does not use).
    /// </summary>
    /// <exception cref="UserInputException">It does not fit.</exception>
    public static void CheckSupernet(Spaces.ISearchSpace space, ModelOptions options, int batchSize) =>
        Check(space.Profile(space.Largest(), options), batchSize, training: true);

    /// <summary>As <see cref="CheckSupernet(Spaces.ISearchSpace, ModelOptions, int)"/> at the space's default input with 1,000 classes (before the data set says how many it has).</summary>
    /// <exception cref="UserInputException">It does not fit.</exception>
    public static void CheckSupernet(Spaces.ISearchSpace space, int batchSize) => CheckSupernet(space, ModelOptions.For(space.DefaultInput), batchSize);

    /// <summary>Throws unless <paramref name="bytes"/> fit <see cref="AvailableBytes"/>; the message names <paramref name="what"/> and says what to do.</summary>
    /// <exception cref="UserInputException">They do not fit.</exception>
    public static void Check(double bytes, string what, string advice)
    {
        long available = AvailableBytes;
        if (bytes <= available) return;
        throw new UserInputException($"{what} needs {Bytes(bytes)} but this machine has {Bytes(available)}; {advice}.");
    }

    /// <summary>A byte count for people: "1.5 GB", "320 MB".</summary>
    public static string Bytes(double bytes) => bytes >= 1e9
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:#,0.#} GB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:#,0.#} MB");
}
