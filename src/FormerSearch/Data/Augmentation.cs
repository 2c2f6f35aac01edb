using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// Training-time augmentation, applied per image in this order: random crop with zero padding
/// (torchvision <c>RandomCrop(size, padding)</c>) or a random resized crop (timm's <c>RandomResizedCrop</c>, which replaces
/// it), horizontal flip, resize to the model's input,
/// normalisation, random erasing (timm <c>RandomErasing</c>, mode "pixel"); then per batch mixup or
/// cutmix (timm <c>Mixup</c>, mode "batch"). <see cref="None"/> does none of them; resizing,
/// channel repetition and normalisation always happen.
/// </summary>
public sealed record Augmentation
{
    /// <summary>Zero padding on each side before a random crop back to the image size; 0 = no cropping.</summary>
    public int CropPadding { get; init; }

    /// <summary>
    /// timm's <c>RandomResizedCrop</c> with its defaults instead of the padded crop: a region of 8–100 % of the stored image's
    /// area (<see cref="CropScaleMin"/>) with aspect ratio log-uniform in [3/4, 4/3], taken from the stored image (for an image
    /// folder, the cached image at the model's size) and resized bilinearly to the model's input.
    /// </summary>
    public bool RandomResizedCrop { get; init; }

    /// <summary>The smallest area fraction a random resized crop keeps (timm: 0.08).</summary>
    public float CropScaleMin { get; init; } = 0.08f;

    /// <summary>Flip each image left-right with probability 0.5.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Mixup's Beta(α, α) parameter; 0 = off (timm's default is 0.8).</summary>
    public float MixupAlpha { get; init; }

    /// <summary>Cutmix's Beta(α, α) parameter; 0 = off (timm's default is 1.0).</summary>
    public float CutmixAlpha { get; init; }

    /// <summary>Probability that a batch is mixed at all when mixup or cutmix is on (timm: 1.0).</summary>
    public float MixProb { get; init; } = 1f;

    /// <summary>With both mixup and cutmix on, the probability that a batch uses cutmix (timm: 0.5).</summary>
    public float SwitchProb { get; init; } = 0.5f;

    /// <summary>Probability that an image gets one erased rectangle of normal noise; 0 = off (timm's default is 0.25).</summary>
    public float RandomErasingProb { get; init; }

    /// <summary>True when batches are mixed (and so carry soft targets).</summary>
    public bool MixEnabled => MixupAlpha > 0 || CutmixAlpha > 0;

    /// <summary>No augmentation at all (evaluation, <c>--no-augment</c>).</summary>
    public static Augmentation None { get; } = new();

    /// <summary>
    /// What users expect for each data set, kept light because these runs are short and the data small:
    /// MNIST: crop with padding 2, no flip (digits are not mirror-symmetric); Fashion-MNIST: padding 2
    /// and flips (clothes are); CIFAR-10/100: padding 4 and flips (the standard recipe); .npy data:
    /// padding of an eighth of the side (at least 1) and flips. Mixup, cutmix and random erasing are
    /// off; <see cref="WithTimmRegularisation"/> turns on the papers' (DeiT/timm) values.
    /// </summary>
    public static Augmentation Default(DatasetKind kind, int height) => kind switch
    {
        DatasetKind.Mnist => new Augmentation { CropPadding = 2 },
        DatasetKind.FashionMnist => new Augmentation { CropPadding = 2, HorizontalFlip = true },
        DatasetKind.Cifar10 or DatasetKind.Cifar100 => new Augmentation { CropPadding = 4, HorizontalFlip = true },
        _ => new Augmentation { CropPadding = Math.Max(1, height / 8), HorizontalFlip = true },
    };

    /// <summary>The default augmentation for <paramref name="dataset"/> (see <see cref="Default(DatasetKind, int)"/>).</summary>
    public static Augmentation Default(ImageDataset dataset) => Default(dataset.Kind, dataset.Height);

    /// <summary>This augmentation plus timm's defaults as DeiT/AutoFormer train: mixup 0.8, cutmix 1.0, switch 0.5, random erasing 0.25.</summary>
    public Augmentation WithTimmRegularisation() =>
        this with { MixupAlpha = 0.8f, CutmixAlpha = 1f, MixProb = 1f, SwitchProb = 0.5f, RandomErasingProb = 0.25f };

    /// <summary>
    /// timm's <c>RandomResizedCrop.get_params</c> (scale [<see cref="CropScaleMin"/>, 1], ratio [3/4, 4/3]) of a <paramref name="height"/>×<paramref name="width"/> image: up to ten draws of
    /// an area and a log-uniform aspect ratio until the region fits, else the centre crop of the closest ratio.
    /// </summary>
    public (int Top, int Left, int Height, int Width) ResizedCropRegion(Generator rng, int height, int width)
    {
        double area = (double)height * width;
        double logLow = Math.Log(3.0 / 4.0), logHigh = Math.Log(4.0 / 3.0);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (CropScaleMin + (1.0 - CropScaleMin) * rng.NextDouble());
            double aspect = Math.Exp(logLow + (logHigh - logLow) * rng.NextDouble());
            int w = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (w > 0 && h > 0 && w <= width && h <= height)
                return (rng.NextInt(height - h + 1), rng.NextInt(width - w + 1), h, w);
        }
        double ratio = (double)width / height;
        int fw = width, fh = height;
        if (ratio < 3.0 / 4.0) fh = (int)Math.Round(fw / (3.0 / 4.0), MidpointRounding.ToEven);
        else if (ratio > 4.0 / 3.0) fw = (int)Math.Round(fh * (4.0 / 3.0), MidpointRounding.ToEven);
        return ((height - fh) / 2, (width - fw) / 2, fh, fw);
    }

    /// <summary>Largest mixup or CutMix alpha accepted.</summary>
    public const float MaxAlpha = 100;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="UserInputException">A setting is out of its range; the message names it.</exception>
    public void Validate()
    {
        if (CropPadding is < 0 or > Models.SizeLimits.MaxImageSide) throw new UserInputException($"Crop padding {CropPadding} must be between 0 and {Models.SizeLimits.MaxImageSide:N0} pixels.");
        if (!(CropScaleMin is > 0 and <= 1)) throw new UserInputException($"The random resized crop's smallest scale {CropScaleMin} must be in (0, 1].");
        // timm's alphas are 0.8 and 1; far above 100 the Beta draw is a constant 0.5 and the value is a typo.
        if (!(MixupAlpha is >= 0 and <= MaxAlpha)) throw new UserInputException($"Mixup alpha {MixupAlpha} must be a number in [0, {MaxAlpha}].");
        if (!(CutmixAlpha is >= 0 and <= MaxAlpha)) throw new UserInputException($"Cutmix alpha {CutmixAlpha} must be a number in [0, {MaxAlpha}].");
        if (!(MixProb is >= 0 and <= 1)) throw new UserInputException($"Mix probability {MixProb} must be in [0, 1].");
        if (!(SwitchProb is >= 0 and <= 1)) throw new UserInputException($"Mixup/cutmix switch probability {SwitchProb} must be in [0, 1].");
        if (!(RandomErasingProb is >= 0 and <= 1)) throw new UserInputException($"Random erasing probability {RandomErasingProb} must be in [0, 1].");
    }
}
