using System.CommandLine;
using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Commands;

/// <summary>
/// `--token-file` and `--ca`, which every command that calls a controller takes: it sends the operator's token from
/// the file, and trusts only the authorities of the CA file with a TLS controller. `sdn controller` takes the
/// tokens of the same file.
/// </summary>
internal static class AccessOptions
{
    public static Option<FileInfo?> TokenFile { get; } = new("--token-file")
    {
        Description = "Access tokens, one 'HOLDER TOKEN' per line (HOLDER: operator, or node:NAME). `sdn controller` takes these tokens; commands that call it send the operator's.",
    };

    public static Option<FileInfo?> Authorities { get; } = new("--ca")
    {
        Description = "PEM file of the certificate authorities a TLS controller's certificate must chain to (https:// addresses); the system's when left out.",
    };

    /// <summary>The credentials a client of the controller presents as <paramref name="holder"/>.</summary>
    /// <exception cref="AccessTokenFileException">The token file is unusable, or holds no token for the holder.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The CA file holds no certificate.</exception>
    public static ClientCredentials ClientCredentialsOf(ParseResult parse, string holder)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return ClientCredentials.Load(parse.GetValue(TokenFile)?.FullName, holder, parse.GetValue(Authorities)?.FullName);
    }
}
