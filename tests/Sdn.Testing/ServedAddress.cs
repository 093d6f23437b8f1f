using System.Text.RegularExpressions;

namespace Sdn.Testing;

/// <summary>The stdout of a running `sdn graph`: completes <see cref="Address"/> with the page's address once the command prints it.</summary>
internal sealed partial class ServedAddress : StringWriter
{
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Uri> Address => _address.Task;

    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        if (value is not null && Served().Match(value) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Value));
        }
    }

    [GeneratedRegex(@"http://\S+")]
    private static partial Regex Served();
}
