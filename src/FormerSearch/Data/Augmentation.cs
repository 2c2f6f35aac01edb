using FormerSearch.Engine;

namespace FormerSearch.Data;

/// <summary>
/// Training-time augmentation, applied per image in this order: random crop with zero padding
/// (torchvision <c>RandomCrop(size, padding)</c>), horizontal flip, resize to the model's input,
/// normalisation, random erasing (timm <c>RandomErasing</c>, mode "pixel"); then per batch mixup or
/// cutmix (timm <c>Mixup</c>, mode "batch"). <see cref="None"/> does none of them; resizing,
/// channel repetition and normalisation always happen.
/// </summary>
public sealed record Augmentation
{
    /// <summary>Zero padding on each side before a random crop back to the image size; 0 = no cropping.</summary>
    public int CropPadding { get; init; }

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

    /// <summary>Checks every setting.</summary>
    /// <exception cref="UserInputException">A setting is out of its range; the message names it.</exception>
    public void Validate()
    {
        if (CropPadding < 0) throw new UserInputException($"Crop padding {CropPadding} must not be negative.");
        if (!(MixupAlpha >= 0) || float.IsInfinity(MixupAlpha)) throw new UserInputException($"Mixup alpha {MixupAlpha} must be a finite number >= 0.");
        if (!(CutmixAlpha >= 0) || float.IsInfinity(CutmixAlpha)) throw new UserInputException($"Cutmix alpha {CutmixAlpha} must be a finite number >= 0.");
        if (!(MixProb is >= 0 and <= 1)) throw new UserInputException($"Mix probability {MixProb} must be in [0, 1].");
        if (!(SwitchProb is >= 0 and <= 1)) throw new UserInputException($"Mixup/cutmix switch probability {SwitchProb} must be in [0, 1].");
        if (!(RandomErasingProb is >= 0 and <= 1)) throw new UserInputException($"Random erasing probability {RandomErasingProb} must be in [0, 1].");
    }
}
