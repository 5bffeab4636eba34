using System.Reflection;
using System.Runtime.CompilerServices;
using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.PluginAuthoring.Tests.Contract;

/// <summary>
/// The contract is what third-party plugins compile against: any change to its public surface is a versioning decision
/// (SPEC §7). Every member's signature is declared in <c>src/Contracts/PublicAPI.Shipped.txt</c> and
/// <c>PublicAPI.Unshipped.txt</c>, and the build fails on any difference (PublicApiAnalyzers). What those files do not
/// record is checked here: which members are <c>required</c>, and each type's kind, modifiers, base type and interfaces.
/// </summary>
public sealed class ContractApiTests
{
    private static readonly System.Reflection.Assembly Contract = typeof(IProviderPlugin).Assembly;

    [Fact]
    public void Required_members_are_exactly_the_approved_ones()
    {
        var required = Contract.GetExportedTypes()
            .SelectMany(t => t.GetMembers().Where(m => m.DeclaringType == t && m.IsDefined(typeof(RequiredMemberAttribute), false)).Select(m => $"{t.FullName}.{m.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(ApprovedRequiredMembers, required);
    }

    [Fact]
    public void Every_public_type_keeps_its_kind_modifiers_base_and_interfaces()
    {
        var shapes = Contract.GetExportedTypes().Select(Shape).Order(StringComparer.Ordinal);

        Assert.Equal(ApprovedShapes, shapes);
    }

    [Fact]
    public void The_contract_version_constants_are_the_assembly_version()
    {
        var version = Contract.GetName().Version!;

        Assert.Equal(new Version(ContractVersion.Major, ContractVersion.Minor, 0, 0), version);
        Assert.Equal(new Version(ContractVersion.Major, ContractVersion.Minor), ContractVersion.Current);
    }

    [Theory]
    [InlineData("1.0", "1.0", true)]
    [InlineData("1.0", "1.3", true)]
    [InlineData("1.3", "1.3", true)]
    [InlineData("1.4", "1.3", false)]
    [InlineData("2.0", "1.3", false)]
    [InlineData("0.9", "1.3", false)]
    public void A_plugin_is_compatible_with_the_same_major_and_a_minor_not_newer_than_the_hosts(string plugin, string host, bool compatible) =>
        Assert.Equal(compatible, ContractVersion.IsCompatible(Version.Parse(plugin), Version.Parse(host)));

    [Fact]
    public void The_contract_references_nothing_but_the_base_library()
    {
        var references = Contract.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name is "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal), $"the contract references {name}"));
    }

    // "sealed record Atmos.Plugins.Contracts.FileStep : Object, IEquatable`1": attribute usage, modifiers and kind, then
    // the base type and the interfaces, by name.
    private static string Shape(Type type)
    {
        var kind = type switch
        {
            { IsInterface: true } => "interface",
            { IsEnum: true } => "enum",
            { IsValueType: true } => type.IsDefined(typeof(IsReadOnlyAttribute), false) ? "readonly struct" : "struct",
            _ when type.IsSubclassOf(typeof(Delegate)) => "delegate",
            _ when type.GetMethod("<Clone>$") is not null => "record",
            { IsAbstract: true, IsSealed: true } => "static class",
            _ => "class",
        };
        var modifier = type is { IsInterface: false, IsValueType: false, IsAbstract: true, IsSealed: false } ? "abstract " : type is { IsValueType: false, IsSealed: true, IsAbstract: false } ? "sealed " : string.Empty;
        var bases = (type.IsEnum ? [Enum.GetUnderlyingType(type)] : new[] { type.BaseType }.OfType<Type>().Concat(type.GetInterfaces()))
            .Select(b => b.Namespace == "System" ? b.Name : $"{b.Namespace}.{b.Name}");
        var usage = type.GetCustomAttribute<AttributeUsageAttribute>(inherit: false) is { } u ? $"[AttributeUsage({u.ValidOn}, AllowMultiple = {u.AllowMultiple})] " : string.Empty;
        return $"{usage}{modifier}{kind} {type.FullName}{(bases.Any() ? " : " + string.Join(", ", bases) : string.Empty)}";
    }

    private static readonly string[] ApprovedRequiredMembers =
    [
        "Atmos.Plugins.Contracts.FileStep.Action",
        "Atmos.Plugins.Contracts.FileStep.Principals",
        "Atmos.Plugins.Contracts.FileStep.Target",
    ];

    private static readonly string[] ApprovedShapes =
    [
        "[AttributeUsage(Assembly, AllowMultiple = False)] sealed class Atmos.Plugins.Contracts.AtmosPluginAttribute : Attribute",
        "[AttributeUsage(Assembly, AllowMultiple = True)] sealed class Atmos.Plugins.Contracts.IdentityKindAttribute : Attribute",
        "[AttributeUsage(Assembly, AllowMultiple = True)] sealed class Atmos.Plugins.Contracts.IntegrationKindAttribute : Attribute",
        "[AttributeUsage(Assembly, AllowMultiple = True)] sealed class Atmos.Plugins.Contracts.ProviderKindAttribute : Attribute",
        "enum Atmos.Plugins.Contracts.CredentialClass : Int32",
        "enum Atmos.Plugins.Contracts.FolderLayout : Int32",
        "enum Atmos.Plugins.Contracts.LogoutScope : Int32",
        "enum Atmos.Plugins.Contracts.PluginLogLevel : Int32",
        "enum Atmos.Plugins.Contracts.Safety.EditOutcome : Int32",
        "enum Atmos.Plugins.Contracts.Safety.EntryKind : Int32",
        "enum Atmos.Plugins.Contracts.Safety.FileEditKind : Int32",
        "enum Atmos.Plugins.Contracts.StepStatus : Int32",
        "interface Atmos.Plugins.Contracts.IProviderPlugin",
        "readonly struct Atmos.Plugins.Contracts.Safety.EntryInfo : ValueType, IEquatable`1",
        "readonly struct Atmos.Plugins.Contracts.Safety.FileEdit : ValueType",
        "readonly struct Atmos.Plugins.Contracts.Safety.JsonItem : ValueType, IEquatable`1",
        "sealed class Atmos.Plugins.Contracts.PluginLog : Object",
        "sealed class Atmos.Plugins.Contracts.Safety.FileLock : Object, IDisposable",
        "sealed class Atmos.Plugins.Contracts.Safety.FileSystemErrorException : System.IO.IOException, System.Runtime.Serialization.ISerializable",
        "sealed class Atmos.Plugins.Contracts.Safety.FolderHandle : Object, IDisposable",
        "sealed class Atmos.Plugins.Contracts.Safety.IniDocument : Object",
        "sealed class Atmos.Plugins.Contracts.Safety.JsonText : Object",
        "sealed class Atmos.Plugins.Contracts.Safety.LockTimeoutException : System.IO.IOException, System.Runtime.Serialization.ISerializable",
        "sealed class Atmos.Plugins.Contracts.Safety.MalformedFileException : System.IO.IOException, System.Runtime.Serialization.ISerializable",
        "sealed class Atmos.Plugins.Contracts.Safety.UnsafePathException : System.IO.IOException, System.Runtime.Serialization.ISerializable",
        "sealed class Atmos.Plugins.Contracts.Settings : Object, System.Collections.Generic.IReadOnlyDictionary`2, System.Collections.Generic.IReadOnlyCollection`1, System.Collections.Generic.IEnumerable`1, System.Collections.IEnumerable",
        "sealed record Atmos.Plugins.Contracts.FileStep : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.IdentityTarget : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.IntegrationTarget : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.KeyringEntry : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.PlanRequest : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.PluginEnvironment : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.ProviderFolder : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.ProviderTarget : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.StepResult : Object, IEquatable`1",
        "sealed record Atmos.Plugins.Contracts.StoredArtifact : Object, IEquatable`1",
        "static class Atmos.Plugins.Contracts.ContractVersion : Object",
        "static class Atmos.Plugins.Contracts.Safety.AtomicFile : Object",
        "static class Atmos.Plugins.Contracts.Safety.BaseFolderCheck : Object",
        "static class Atmos.Plugins.Contracts.Safety.ContainedPath : Object",
        "static class Atmos.Plugins.Contracts.Safety.FileRemovalStep : Object",
        "static class Atmos.Plugins.Contracts.Safety.FolderRemovalStep : Object",
        "static class Atmos.Plugins.Contracts.Safety.JsonFile : Object",
        "static class Atmos.Plugins.Contracts.Safety.PrivateFile : Object",
        "static class Atmos.Plugins.Contracts.Safety.SafeFile : Object",
        "static class Atmos.Plugins.Contracts.Safety.StepResults : Object",
    ];
}
