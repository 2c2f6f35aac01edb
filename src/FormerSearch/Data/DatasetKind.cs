namespace FormerSearch.Data;

/// <summary>The data sets <see cref="DatasetCatalog"/> knows how to read.</summary>
public enum DatasetKind
{
    /// <summary>Fashion-MNIST: 28×28 grey clothes, 10 classes, IDX files.</summary>
    FashionMnist,

    /// <summary>MNIST: 28×28 grey digits, 10 classes, IDX files.</summary>
    Mnist,

    /// <summary>CIFAR-10: 32×32 colour, 10 classes, binary batches.</summary>
    Cifar10,

    /// <summary>CIFAR-100: 32×32 colour, 100 fine classes, binary batches.</summary>
    Cifar100,

    /// <summary>A pair of .npy files: NCHW uint8 or float32 images and integer labels.</summary>
    Npy,

    /// <summary>A folder of image files, one sub-folder per class (torchvision's <c>ImageFolder</c>), decoded once into a cache.</summary>
    Folder,
}
