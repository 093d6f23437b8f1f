namespace Sdn.Fabric.Controller.Compiler;

/// <summary>Where the compiler's numbers (labels, port numbers, group ids) are kept, so that whoever compiles next chooses the same ones.</summary>
public interface INumberingStore
{
    /// <summary>The saved numbers by scope; none when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">What is stored is not a numbering.</exception>
    IReadOnlyDictionary<string, StableNumbering> Load();

    /// <summary>Saves the scopes that differ between <paramref name="before"/> (null: nothing saved yet) and <paramref name="after"/>.</summary>
    /// <param name="scopes">The only scopes that can differ, when the caller knows them (a step renumbers a few of thousands); null when any can.</param>
    void Save(IReadOnlyDictionary<string, StableNumbering>? before, IReadOnlyDictionary<string, StableNumbering> after, IReadOnlyCollection<string>? scopes);
}
