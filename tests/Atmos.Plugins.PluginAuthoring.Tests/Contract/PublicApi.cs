using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Atmos.Plugins.PluginAuthoring.Tests.Contract;

/// <summary>
/// The public surface of an assembly as stable text: every public type with its kind, modifiers, base types and
/// attribute usage, and every public or protected member with modifiers, nullable-annotated types, <c>required</c>,
/// <c>init</c>, parameter modifiers and default values. Sorted, so the listing changes only when the API does.
/// </summary>
public static class PublicApi
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(object)] = "object", [typeof(string)] = "string", [typeof(bool)] = "bool",
        [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(char)] = "char", [typeof(short)] = "short",
        [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long",
        [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal",
        [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    public static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(TypeHeader(type)).Append('\n');
            foreach (var member in Members(type))
            {
                text.Append("    ").Append(member).Append('\n');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string TypeHeader(Type type)
    {
        var usage = type.GetCustomAttribute<AttributeUsageAttribute>(inherit: false);
        var attributes = usage is null ? string.Empty : $"[AttributeUsage({usage.ValidOn}, AllowMultiple = {usage.AllowMultiple}, Inherited = {usage.Inherited})] ";
        var kind = type switch
        {
            { IsInterface: true } => "interface",
            { IsEnum: true } => "enum",
            { IsValueType: true } => type.IsDefined(typeof(IsReadOnlyAttribute), false) ? "readonly struct" : "struct",
            _ when type.GetMethod("<Clone>$") is not null => "record",
            _ when type.IsSubclassOf(typeof(Delegate)) => "delegate",
            _ => "class",
        };
        var modifiers = type switch
        {
            { IsInterface: true } or { IsValueType: true } => string.Empty,
            { IsAbstract: true, IsSealed: true } => "static ",
            { IsAbstract: true } => "abstract ",
            { IsSealed: true } => "sealed ",
            _ => string.Empty,
        };
        var bases = new List<string>();
        if (type.IsEnum)
        {
            bases.Add(Name(Enum.GetUnderlyingType(type)));
        }
        else if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType))
        {
            bases.Add(Name(baseType));
        }

        if (!type.IsEnum)
        {
            bases.AddRange(type.GetInterfaces().Select(Name).Order(StringComparer.Ordinal));
        }

        return $"{attributes}public {modifiers}{kind} {Name(type)}{(bases.Count == 0 ? string.Empty : " : " + string.Join(", ", bases))}";
    }

    private static IEnumerable<string> Members(Type type)
    {
        if (type.IsEnum)
        {
            return type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .OrderBy(f => Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture))
                .Select(f => $"{f.Name} = {f.GetRawConstantValue()}");
        }

        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var nullability = new NullabilityInfoContext();
        var fields = type.GetFields(all).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly).Select(f => (f.Name, Field(f, nullability)));
        var constructors = type.GetConstructors(all).Where(Visible).Select(c => (string.Empty, $"{Access(c)}{Name(type)}({Parameters(c, nullability)})"));
        var properties = type.GetProperties(all).Where(p => Visible(p.GetMethod) || Visible(p.SetMethod)).Select(p => (p.Name, Property(p, nullability)));
        var events = type.GetEvents(all).Where(e => Visible(e.AddMethod)).Select(e => (e.Name, $"{Access(e.AddMethod!)}event {Name(e.EventHandlerType!)} {e.Name}"));
        var methods = type.GetMethods(all).Where(m => Visible(m) && (!m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal))).Select(m => (m.Name, Method(m, nullability)));

        // Grouped by kind of member, then by name, then by signature (overloads).
        return new[] { fields, constructors, properties, events, methods }
            .SelectMany(group => group.OrderBy(m => m.Item1, StringComparer.Ordinal).ThenBy(m => m.Item2, StringComparer.Ordinal).Select(m => m.Item2));
    }

    private static bool Visible(MethodBase? method) => method is not null && (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly);

    private static string Access(MethodBase method) => method.IsPublic ? "public " : "protected ";

    private static string Field(FieldInfo field, NullabilityInfoContext nullability)
    {
        var access = field.IsPublic ? "public " : "protected ";
        if (field.IsLiteral)
        {
            return $"{access}const {Name(field.FieldType)} {field.Name} = {Literal(field.GetRawConstantValue(), field.FieldType)}";
        }

        var modifiers = (field.IsStatic ? "static " : string.Empty) + (field.IsInitOnly ? "readonly " : string.Empty);
        return $"{access}{modifiers}{Name(field.FieldType, nullability.Create(field))} {field.Name}";
    }

    private static string Property(PropertyInfo property, NullabilityInfoContext nullability)
    {
        var accessor = property.GetMethod ?? property.SetMethod!;
        var required = property.IsDefined(typeof(RequiredMemberAttribute), false) ? "required " : string.Empty;
        var accessors = new List<string>();
        if (Visible(property.GetMethod))
        {
            accessors.Add("get;");
        }

        if (Visible(property.SetMethod))
        {
            var init = property.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
            accessors.Add(init ? "init;" : "set;");
        }

        var name = property.GetIndexParameters() is { Length: > 0 } index
            ? $"this[{string.Join(", ", index.Select(p => $"{Name(p.ParameterType, nullability.Create(p))} {p.Name}"))}]"
            : property.Name;
        return $"{Access(accessor)}{Modifiers(accessor)}{required}{Name(property.PropertyType, nullability.Create(property))} {name} {{ {string.Join(' ', accessors)} }}";
    }

    private static string Method(MethodInfo method, NullabilityInfoContext nullability)
    {
        var generic = method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : string.Empty;
        var returns = Name(method.ReturnType, nullability.Create(method.ReturnParameter));
        return $"{Access(method)}{Modifiers(method)}{returns} {method.Name}{generic}({Parameters(method, nullability)})";
    }

    private static string Modifiers(MethodInfo method)
    {
        if (method.DeclaringType!.IsInterface)
        {
            return method.IsStatic ? "static " : string.Empty;
        }

        if (method.IsStatic)
        {
            return "static ";
        }

        if (method.IsAbstract)
        {
            return "abstract ";
        }

        var isOverride = method.GetBaseDefinition().DeclaringType != method.DeclaringType;
        return (isOverride, method.IsVirtual && !method.IsFinal) switch
        {
            (true, _) => method.IsFinal ? "sealed override " : "override ",
            (false, true) => "virtual ",
            _ => string.Empty,
        };
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext nullability) =>
        string.Join(", ", method.GetParameters().Select(p =>
        {
            var type = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
            var modifier = p switch
            {
                { IsOut: true } => "out ",
                { IsIn: true } when p.ParameterType.IsByRef => "in ",
                _ when p.ParameterType.IsByRef => "ref ",
                _ when p.IsDefined(typeof(ParamArrayAttribute), false) => "params ",
                _ => string.Empty,
            };
            var value = p.HasDefaultValue ? $" = {Literal(p.DefaultValue, type)}" : string.Empty;
            return $"{modifier}{Name(type, nullability.Create(p))} {p.Name}{value}";
        }));

    private static string Literal(object? value, Type type) => value switch
    {
        null when type.IsValueType && Nullable.GetUnderlyingType(type) is null => "default",
        null => "null",
        _ when type.IsEnum => Enum.ToObject(type, value).ToString()!,
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };

    private static string Name(Type type) => Name(type, null);

    // C# spelling: keywords, T? for nullable annotations and Nullable<T>, generic arguments, nested types as Outer.Inner.
    private static string Name(Type type, NullabilityInfo? nullability)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying, nullability?.GenericTypeArguments.FirstOrDefault()) + "?";
        }

        var annotation = nullability?.ReadState == NullabilityState.Nullable && !type.IsValueType ? "?" : string.Empty;
        if (type.IsArray)
        {
            return $"{Name(type.GetElementType()!, nullability?.ElementType)}[]{annotation}";
        }

        if (type.IsGenericParameter)
        {
            return type.Name + annotation;
        }

        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword + annotation;
        }

        var name = type.IsNested ? $"{Name(type.DeclaringType!)}.{type.Name}" : $"{type.Namespace}.{type.Name}";
        if (type.IsGenericType)
        {
            var arguments = type.GetGenericArguments();
            var argumentNullability = nullability?.GenericTypeArguments;
            var names = arguments.Select((a, i) => Name(a, argumentNullability is { Length: > 0 } n && i < n.Length ? n[i] : null));
            name = $"{name[..name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", names)}>";
        }

        return name + annotation;
    }
}
