namespace Sdn.Testing;

/// <summary>The checkout the tests run from, found by walking up to Sdn.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Sdn.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Sdn.sln above {AppContext.BaseDirectory}");
    }
}
