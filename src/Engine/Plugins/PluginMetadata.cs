using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>What a plugin assembly declares, read from its metadata without loading it.</summary>
/// <param name="AssemblyName">The assembly's simple name.</param>
/// <param name="Version">The assembly version.</param>
/// <param name="ContractVersion">The version of <c>Atmos.Plugins.Contracts</c> it was compiled against, or null when it does not reference it.</param>
/// <param name="EntryType">The full name of the class named by <see cref="AtmosPluginAttribute"/>, or null.</param>
/// <param name="ProviderKinds">Declared provider kinds.</param>
/// <param name="IdentityKinds">Declared identity kinds.</param>
/// <param name="InformationalVersion">The <c>AssemblyInformationalVersion</c> (the package version, such as <c>2.1.0-beta</c>), or null.</param>
public sealed record PluginMetadata(
    string AssemblyName,
    Version Version,
    Version? ContractVersion,
    string? EntryType,
    IReadOnlyList<string> ProviderKinds,
    IReadOnlyList<string> IdentityKinds,
    string? InformationalVersion = null)
{
    private const string ContractAssembly = "Atmos.Plugins.Contracts";
    private const string AttributeNamespace = "Atmos.Plugins.Contracts";
    private const string InformationalVersionAttribute = "AssemblyInformationalVersionAttribute";

    /// <summary>Declared integration kinds (<see cref="IntegrationKindAttribute"/>, contract 1.2).</summary>
    public IReadOnlyList<string> IntegrationKinds { get; init; } = [];

    /// <summary>
    /// True when this was taken from the manifest's declared kinds without opening the assembly: the contract version and
    /// the kinds are checked against the assembly when the plugin is loaded (<see cref="Verify"/>).
    /// </summary>
    public bool IsDeclared { get; private init; }

    /// <summary>The manifest's declaration of a plugin, before its assembly is opened.</summary>
    /// <param name="entry">A manifest entry that declares its kinds.</param>
    public static PluginMetadata Declared(ManifestEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new PluginMetadata(Path.GetFileNameWithoutExtension(entry.AssemblyPath), new Version(0, 0), null, null, entry.DeclaredProviderKinds ?? [], entry.DeclaredIdentityKinds ?? [])
        {
            IntegrationKinds = entry.DeclaredIntegrationKinds ?? [],
            IsDeclared = true,
        };
    }

    /// <summary>
    /// Checks a loaded plugin assembly against what its manifest entry declared: it references a compatible contract
    /// and declares exactly the declared kinds. Null when it does.
    /// </summary>
    /// <param name="entry">The manifest entry.</param>
    /// <param name="assembly">The loaded plugin assembly.</param>
    public static string? Verify(ManifestEntry entry, System.Reflection.Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(assembly);
        var contract = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == ContractAssembly)?.Version;
        if (contract is null)
        {
            return $"{entry.AssemblyPath} does not reference Atmos.Plugins.Contracts, so it is not an atmos plugin";
        }

        var name = assembly.GetName();
        var informational = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(assembly)?.InformationalVersion;
        var loaded = new PluginMetadata(name.Name ?? string.Empty, name.Version ?? new Version(0, 0), contract, null, [], [], informational);
        if (PluginCatalog.Incompatibility(entry.Name, loaded) is { } incompatible)
        {
            return incompatible;
        }

        var providers = System.Reflection.CustomAttributeExtensions.GetCustomAttributes<ProviderKindAttribute>(assembly).Select(k => k.Kind).Order(StringComparer.Ordinal).ToList();
        var identities = System.Reflection.CustomAttributeExtensions.GetCustomAttributes<IdentityKindAttribute>(assembly).Select(k => k.Kind).Order(StringComparer.Ordinal).ToList();
        var integrations = System.Reflection.CustomAttributeExtensions.GetCustomAttributes<IntegrationKindAttribute>(assembly).Select(k => k.Kind).Order(StringComparer.Ordinal).ToList();
        var declaredProviders = (entry.DeclaredProviderKinds ?? []).Order(StringComparer.Ordinal).ToList();
        var declaredIdentities = (entry.DeclaredIdentityKinds ?? []).Order(StringComparer.Ordinal).ToList();
        var declaredIntegrations = (entry.DeclaredIntegrationKinds ?? []).Order(StringComparer.Ordinal).ToList();
        if (providers.SequenceEqual(declaredProviders) && identities.SequenceEqual(declaredIdentities) && integrations.SequenceEqual(declaredIntegrations))
        {
            return null;
        }

        return $"{entry.ManifestPath} declares provider kinds [{string.Join(", ", declaredProviders)}], identity kinds [{string.Join(", ", declaredIdentities)}] and integration kinds [{string.Join(", ", declaredIntegrations)}] for plugin '{entry.Name}', "
            + $"but {Path.GetFileName(entry.AssemblyPath)} declares [{string.Join(", ", providers)}], [{string.Join(", ", identities)}] and [{string.Join(", ", integrations)}]; fix the manifest, or remove its kinds to read them from the assembly";
    }

    /// <summary>The plugin's version as its author wrote it: the informational version without build metadata (<c>+commit</c>), else the assembly version.</summary>
    public string DisplayVersion => InformationalVersion is { Length: > 0 } text ? text.Split('+')[0] : Version.ToString(3);

    /// <summary>Reads a plugin assembly's declarations.</summary>
    /// <param name="path">The assembly file.</param>
    /// <exception cref="BadImageFormatException">Not a .NET assembly.</exception>
    /// <exception cref="IOException">Cannot be read.</exception>
    public static PluginMetadata Read(string path)
    {
        // Never blocking on a FIFO, only a regular file of an assembly's size (an installed plugin may be a link).
        using var stream = new FileStream(SafeFile.OpenRead(path, 512L * 1024 * 1024, followLinks: true), FileAccess.Read);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException($"{path} is not a .NET assembly");
        }

        var reader = pe.GetMetadataReader();
        var definition = reader.GetAssemblyDefinition();
        Version? contract = null;
        foreach (var handle in reader.AssemblyReferences)
        {
            var reference = reader.GetAssemblyReference(handle);
            if (reader.StringComparer.Equals(reference.Name, ContractAssembly))
            {
                contract = reference.Version;
            }
        }

        string? entry = null;
        string? informational = null;
        var providerKinds = new List<string>();
        var identityKinds = new List<string>();
        var integrationKinds = new List<string>();
        var provider = new NameOnlyTypeProvider();
        foreach (var handle in definition.GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            var typeName = AttributeTypeName(reader, attribute, out var inContractNamespace);
            if (typeName is null)
            {
                continue;
            }

            var arguments = attribute.DecodeValue(provider).FixedArguments;
            if (arguments.Length != 1)
            {
                continue;
            }

            switch (typeName)
            {
                case InformationalVersionAttribute when !inContractNamespace:
                    informational = arguments[0].Value as string;
                    break;
                case nameof(AtmosPluginAttribute) when inContractNamespace:
                    entry = arguments[0].Value as string;
                    break;
                case nameof(ProviderKindAttribute) when inContractNamespace && arguments[0].Value is string kind:
                    providerKinds.Add(kind);
                    break;
                case nameof(IdentityKindAttribute) when inContractNamespace && arguments[0].Value is string kind:
                    identityKinds.Add(kind);
                    break;
                case nameof(IntegrationKindAttribute) when inContractNamespace && arguments[0].Value is string kind:
                    integrationKinds.Add(kind);
                    break;
            }
        }

        return new PluginMetadata(reader.GetString(definition.Name), definition.Version, contract, entry, providerKinds, identityKinds, informational)
        {
            IntegrationKinds = integrationKinds,
        };
    }

    // The attribute's type name when it is one of ours or System.Reflection's informational version; null otherwise.
    private static string? AttributeTypeName(MetadataReader reader, CustomAttribute attribute, out bool inContractNamespace)
    {
        inContractNamespace = false;
        EntityHandle parent;
        switch (attribute.Constructor.Kind)
        {
            case HandleKind.MemberReference:
                parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
                break;
            case HandleKind.MethodDefinition:
                parent = reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
                break;
            default:
                return null;
        }

        StringHandle ns, name;
        switch (parent.Kind)
        {
            case HandleKind.TypeReference:
                var reference = reader.GetTypeReference((TypeReferenceHandle)parent);
                (ns, name) = (reference.Namespace, reference.Name);
                break;
            case HandleKind.TypeDefinition:
                var definition = reader.GetTypeDefinition((TypeDefinitionHandle)parent);
                (ns, name) = (definition.Namespace, definition.Name);
                break;
            default:
                return null;
        }

        inContractNamespace = reader.StringComparer.Equals(ns, AttributeNamespace);
        if (inContractNamespace || (reader.StringComparer.Equals(ns, "System.Reflection") && reader.StringComparer.Equals(name, InformationalVersionAttribute)))
        {
            return reader.GetString(name);
        }

        return null;
    }

    // Decodes attribute arguments; a Type argument arrives as its serialized (assembly-qualified) name.
    private sealed class NameOnlyTypeProvider : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        // Namespace-qualified, so IsSystemType recognises System.Type parameters (typeof arguments are serialized strings).
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            return $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            return $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
        }

        public string GetTypeFromSerializedName(string name) => name.Split(',')[0].Trim();

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
