namespace FormerSearch.Models;

/// <summary>The architecture of a zoo family (an immutable record): what its model is built from, checked before anything is drawn.</summary>
public interface IModelConfig
{
    /// <summary>Checks the sizes against each other (the image is checked when the model is built).</summary>
    /// <exception cref="Engine.UserInputException">A size is invalid.</exception>
    void Validate();
}
