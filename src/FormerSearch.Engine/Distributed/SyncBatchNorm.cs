using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Distributed;

/// <summary>Synchronised batch norm for a whole model, as PyTorch's <c>SyncBatchNorm.convert_sync_batchnorm</c>.</summary>
public static class SyncBatchNorm
{
    /// <summary>Makes every batch norm of <paramref name="model"/> take its training statistics over all ranks of <paramref name="group"/>; returns how many it changed.</summary>
    public static int Convert(Module model, ICommunicator group)
    {
        int count = 0;
        foreach (var norm in model.Modules().OfType<BatchNormBase>())
        {
            norm.SyncGroup = group;
            count++;
        }
        return count;
    }
}
