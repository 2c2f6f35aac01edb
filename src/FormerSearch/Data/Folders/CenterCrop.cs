namespace FormerSearch.Data.Folders;

/// <summary>
/// The evaluation transform's geometry, torchvision's <c>Resize(size)</c> then <c>CenterCrop(size)</c> (crop fraction 1): the
/// image is scaled, keeping its aspect, until it covers the output, then the middle is cut out. For a square output this
/// is exactly torchvision's: the shorter side becomes the size and the longer <c>int(size · long / short)</c>; the crop
/// offsets are <c>int(round((resized − size) / 2))</c> with Python's half-to-even rounding.
/// </summary>
/// <param name="ResizedHeight">Height after resizing.</param>
/// <param name="ResizedWidth">Width after resizing.</param>
/// <param name="Top">First row of the crop in the resized image.</param>
/// <param name="Left">First column of the crop in the resized image.</param>
public readonly record struct CenterCrop(int ResizedHeight, int ResizedWidth, int Top, int Left)
{
    /// <summary>The plan for an image of <paramref name="height"/>×<paramref name="width"/> and an output of <paramref name="outHeight"/>×<paramref name="outWidth"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public static CenterCrop For(int height, int width, int outHeight, int outWidth)
    {
        if (height <= 0 || width <= 0 || outHeight <= 0 || outWidth <= 0)
            throw new ArgumentException($"Image {height}x{width} and output {outHeight}x{outWidth} must have positive sizes.");
        int resizedHeight, resizedWidth;
        // The axis that needs the larger scale decides; the other follows the aspect ratio (truncated, as torchvision's int()).
        if ((long)outWidth * height >= (long)outHeight * width)
        {
            resizedWidth = outWidth;
            resizedHeight = height == width && outHeight == outWidth ? outHeight : (int)((long)outWidth * height / (double)width);
        }
        else
        {
            resizedHeight = outHeight;
            resizedWidth = (int)((long)outHeight * width / (double)height);
        }
        resizedHeight = Math.Max(resizedHeight, outHeight);
        resizedWidth = Math.Max(resizedWidth, outWidth);
        int top = (int)Math.Round((resizedHeight - outHeight) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((resizedWidth - outWidth) / 2.0, MidpointRounding.ToEven);
        return new CenterCrop(resizedHeight, resizedWidth, top, left);
    }
}
