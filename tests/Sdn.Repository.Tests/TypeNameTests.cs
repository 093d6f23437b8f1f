using System.Reflection;
using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Repository.Tests;

/// <summary>A name means one thing: no hand-written type shares its simple name with a generated sdn.v1 message or enum.</summary>
public class TypeNameTests
{
    private static readonly string[] ProductionAssemblies =
        ["Sdn.Common", "Sdn.Contracts", "Vmm", "Fabric.Core", "Fabric.Edge", "Fabric.Controller", "sdn"];

    [Fact]
    public void No_hand_written_type_has_the_name_of_a_generated_message_or_enum()
    {
        var generated = Generated().ToList();
        var names = generated.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        var clashes = ProductionAssemblies
            .SelectMany(a => Assembly.Load(a).GetTypes())
            .Where(t => !generated.Contains(t) && !t.IsNested && names.Contains(t.Name))
            .Select(t => t.FullName)
            .ToList();

        Assert.NotEmpty(names);
        Assert.Empty(clashes);
    }

    /// <summary>The types protoc and the gRPC plugin made from the .proto files: every message, enum and service class, nested ones too.</summary>
    private static IEnumerable<Type> Generated() =>
        typeof(ControllerMessage).Assembly.GetTypes().Where(t =>
            t.Namespace is not null && t.Namespace.StartsWith("Sdn.Contracts", StringComparison.Ordinal) && !t.Namespace.StartsWith("Sdn.Contracts.", StringComparison.Ordinal)
            && (typeof(IMessage).IsAssignableFrom(t) || t.IsEnum || t.GetCustomAttributes(typeof(System.CodeDom.Compiler.GeneratedCodeAttribute), false).Length > 0));
}
