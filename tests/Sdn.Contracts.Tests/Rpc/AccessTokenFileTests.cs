using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

public sealed class AccessTokenFileTests : IDisposable
{
    private const string OperatorToken = "0123456789abcdef-operator";
    private const string E1Token = "0123456789abcdef-e1";
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sdn-tokens-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Each_line_gives_a_holder_its_token_and_comments_and_blank_lines_are_skipped()
    {
        File.WriteAllText(_path, $"# who      token\n\noperator  {OperatorToken}\n  node:e1 {E1Token}  \n");

        var tokens = AccessTokenFile.Load(_path);

        Assert.Equal(OperatorToken, tokens.TokenOf(AccessTokenFile.Operator));
        Assert.Equal(E1Token, tokens.TokenOf(AccessTokenFile.NodeHolder("e1")));
        Assert.Equal(2, tokens.Tokens.Count);
        Assert.Equal(("e1", null), (AccessTokenFile.NodeOf("node:e1"), AccessTokenFile.NodeOf("operator")));
    }

    [Theory]
    [InlineData("operator", "2: expected HOLDER TOKEN, such as 'operator 3f9a…' or 'node:e1 77c2…', but found 1 fields")]
    [InlineData("admin 0123456789abcdef-admin", "2: 'admin' is neither 'operator' nor 'node:NAME'")]
    [InlineData("node: 0123456789abcdef-empty", "2: 'node:' is neither 'operator' nor 'node:NAME'")]
    [InlineData("node:e2 short", "2: the token of node:e2 has 5 characters; a token needs at least 16")]
    [InlineData("operator 0123456789abcdef-other", "2: operator already has a token, on line 1")]
    [InlineData("node:e2 " + OperatorToken, "2: the token of node:e2 is the token of line 1 too; each holder needs its own")]
    public void A_bad_line_is_refused_naming_the_file_and_line(string line, string error)
    {
        File.WriteAllText(_path, $"operator {OperatorToken}\n{line}\n");

        var refused = Assert.Throws<AccessTokenFileException>(() => AccessTokenFile.Load(_path));

        Assert.Equal($"{_path}:{error}", refused.Message);
    }

    [Fact]
    public void A_missing_file_and_a_missing_holder_are_named()
    {
        var missing = Assert.Throws<AccessTokenFileException>(() => AccessTokenFile.Load(_path));
        File.WriteAllText(_path, $"operator {OperatorToken}\n");
        var noNode = Assert.Throws<AccessTokenFileException>(() => AccessTokenFile.Load(_path).TokenOf("node:e1"));

        Assert.StartsWith($"{_path}: ", missing.Message, StringComparison.Ordinal);
        Assert.Equal($"{_path}: no token for node:e1; add a line 'node:e1 TOKEN'", noNode.Message);
    }
}
