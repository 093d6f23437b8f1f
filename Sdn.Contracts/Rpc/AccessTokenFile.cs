using System.Globalization;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// Who may talk to a controller, as a file of one <c>HOLDER TOKEN</c> pair per line: the holder <c>operator</c> may
/// call the northbound API (sdn.v1.Controller), a holder <c>node:NAME</c> may connect an agent (sdn.v1.Agent) as
/// node NAME and as nothing else. Blank lines and lines starting with <c>#</c> are skipped. The controller reads
/// every line; a client sends the token of the holder it speaks for, so one file can serve both sides.
/// </summary>
public sealed class AccessTokenFile
{
    public const string Operator = "operator";

    /// <summary>Shorter tokens are refused: a token is a secret, not a password to remember.</summary>
    public const int MinimumTokenLength = 16;

    private const string NodePrefix = "node:";

    private readonly Dictionary<string, string> _tokenOfHolder;

    private AccessTokenFile(string path, Dictionary<string, string> tokenOfHolder)
    {
        Path = path;
        _tokenOfHolder = tokenOfHolder;
    }

    public string Path { get; }

    /// <summary>Each holder's token, by holder.</summary>
    public IReadOnlyDictionary<string, string> Tokens => _tokenOfHolder;

    /// <summary>The holder name of node <paramref name="node"/>'s agent.</summary>
    public static string NodeHolder(string node) => NodePrefix + node;

    /// <summary>The node a holder names, or null for the operator.</summary>
    public static string? NodeOf(string holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return holder.StartsWith(NodePrefix, StringComparison.Ordinal) ? holder[NodePrefix.Length..] : null;
    }

    /// <exception cref="AccessTokenFileException">The file cannot be read, or a line is not a valid, distinct holder and token; the message names the file and line.</exception>
    public static AccessTokenFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AccessTokenFileException($"{path}: {e.Message}", e);
        }

        var tokenOfHolder = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineOfHolder = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineOfToken = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2)
            {
                throw Refused(path, number, $"expected HOLDER TOKEN, such as 'operator 3f9a…' or 'node:e1 77c2…', but found {fields.Length} fields");
            }

            var (holder, token) = (fields[0], fields[1]);
            if (holder != Operator && (NodeOf(holder) is not { Length: > 0 }))
            {
                throw Refused(path, number, $"'{holder}' is neither 'operator' nor 'node:NAME'");
            }

            if (token.Length < MinimumTokenLength)
            {
                throw Refused(path, number, $"the token of {holder} has {token.Length} characters; a token needs at least {MinimumTokenLength}");
            }

            if (lineOfHolder.TryGetValue(holder, out var earlier))
            {
                throw Refused(path, number, $"{holder} already has a token, on line {earlier}");
            }

            if (lineOfToken.TryGetValue(token, out var shared))
            {
                throw Refused(path, number, $"the token of {holder} is the token of line {shared} too; each holder needs its own");
            }

            tokenOfHolder[holder] = token;
            lineOfHolder[holder] = number;
            lineOfToken[token] = number;
        }

        return new AccessTokenFile(path, tokenOfHolder);
    }

    /// <exception cref="AccessTokenFileException">The file has no line for <paramref name="holder"/>.</exception>
    public string TokenOf(string holder) =>
        _tokenOfHolder.TryGetValue(holder, out var token) ? token : throw new AccessTokenFileException($"{Path}: no token for {holder}; add a line '{holder} TOKEN'");

    private static AccessTokenFileException Refused(string path, int line, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}:{line}: {message}"));
}
