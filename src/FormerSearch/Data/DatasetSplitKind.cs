namespace FormerSearch.Data;

/// <summary>Which published split of a data set to open (a validation split is carved out of Train by <see cref="HoldOut"/>).</summary>
public enum DatasetSplitKind
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The test images; never used for training or for ranking subnets.</summary>
    Test,
}
