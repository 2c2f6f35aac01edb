using FormerSearch.Engine;

namespace FormerSearch.Training;

/// <summary>One batch: normalised channels-last images, hard labels, and soft targets when mixing made them.</summary>
/// <param name="Images">Images <c>[B, H, W, C]</c>.</param>
/// <param name="Labels">Class of each image (for mixed images, the dominant one).</param>
/// <param name="SoftTargets">Class probabilities <c>[B, K]</c> when mixup/cutmix mixed the batch, else null.</param>
/// <param name="Part">In data-parallel training, the images of the global batch before and after this rank's part; (0, 0) for a whole batch.</param>
public sealed record TrainingBatch(Tensor Images, int[] Labels, Tensor? SoftTargets = null, (int Before, int After) Part = default);
