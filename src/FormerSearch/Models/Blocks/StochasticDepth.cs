namespace FormerSearch.Models.Blocks;

/// <summary>
/// The drop-path schedule of every model and supernet of the zoo (timm's <c>torch.linspace(0, drop_path_rate, depth)</c>):
/// the rate rises linearly from 0 at the first block to the model's rate at the last.
/// </summary>
public static class StochasticDepth
{
    /// <summary>Drop-path probability of block <paramref name="block"/> (from 0) of <paramref name="blocks"/> when the last one's is <paramref name="rate"/>; 0 for a single block.</summary>
    public static float Rate(float rate, int block, int blocks) => blocks > 1 ? rate * block / (blocks - 1) : 0f;
}
