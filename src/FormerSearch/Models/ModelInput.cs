namespace FormerSearch.Models;

/// <summary>The image a model takes: channels, height and width (fed channels-last as <c>[B, H, W, C]</c>).</summary>
public readonly record struct ModelInput(int Channels, int Height, int Width)
{
    /// <summary>The usual ImageNet input, 3×224×224.</summary>
    public static ModelInput ImageNet => new(3, 224, 224);

    /// <summary>"CxHxW", the form the command line takes.</summary>
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
