using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>
/// The container behind the mediator: singletons built from a <see cref="ServiceCollection"/> by constructor injection,
/// and <c>IEnumerable&lt;T&gt;</c> as an array of every registration of <c>T</c>, in order. That is everything the
/// source-generated mediator and our pipeline ask for, and anything else (scoped or transient lifetimes, keyed services,
/// open generics) is refused when the provider is built, not half-supported.
/// </summary>
/// <remarks>
/// Microsoft.Extensions.DependencyInjection does the same job, but building its engine costs more start-up than the
/// rest of a logout's execution (docs/performance.md); this is a CLI that runs for a fraction of a second. Switching back
/// is one line: <c>services.BuildServiceProvider()</c>.
/// </remarks>
internal sealed class SingletonServiceProvider : IServiceProvider
{
    private readonly Dictionary<Type, List<ServiceDescriptor>> _registrations = [];
    private readonly Dictionary<ServiceDescriptor, object> _instances = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Type> _building = [];
    private readonly Lock _gate = new();

    /// <summary>Takes the registrations.</summary>
    /// <param name="services">Singleton registrations of closed types (instances, factories or implementation types).</param>
    /// <exception cref="NotSupportedException">A registration this provider does not implement.</exception>
    public SingletonServiceProvider(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var descriptor in services)
        {
            if (descriptor.Lifetime != ServiceLifetime.Singleton || descriptor.IsKeyedService || descriptor.ServiceType.ContainsGenericParameters)
            {
                throw new NotSupportedException($"{descriptor.ServiceType}: only singletons of closed, unkeyed types are supported");
            }

            if (!_registrations.TryGetValue(descriptor.ServiceType, out var list))
            {
                _registrations[descriptor.ServiceType] = list = [];
            }

            list.Add(descriptor);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceType == typeof(IServiceProvider))
        {
            return this;
        }

        lock (_gate)
        {
            if (_registrations.TryGetValue(serviceType, out var list))
            {
                return Resolve(list[^1]); // the last registration wins, as in Microsoft's container
            }

            if (serviceType.IsConstructedGenericType && serviceType.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                var element = serviceType.GenericTypeArguments[0];
                var all = _registrations.TryGetValue(element, out var registered) ? registered : [];
                var array = Array.CreateInstance(element, all.Count);
                for (var i = 0; i < all.Count; i++)
                {
                    array.SetValue(Resolve(all[i]), i);
                }

                return array;
            }

            return null;
        }
    }

    private object Resolve(ServiceDescriptor descriptor)
    {
        if (_instances.TryGetValue(descriptor, out var existing))
        {
            return existing;
        }

        var instance = descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(this)
            ?? Create(descriptor.ImplementationType!);
        _instances[descriptor] = instance;
        return instance;
    }

    // The constructor with the most parameters this provider can satisfy, as Microsoft's container chooses.
    private object Create(Type type)
    {
        if (!_building.Add(type))
        {
            throw new InvalidOperationException($"{type} depends on itself through its constructor");
        }

        try
        {
            foreach (var constructor in MostParametersFirst(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)))
            {
                var parameters = constructor.GetParameters();
                var arguments = new object?[parameters.Length];
                var satisfied = true;
                for (var i = 0; i < parameters.Length && satisfied; i++)
                {
                    arguments[i] = GetService(parameters[i].ParameterType);
                    satisfied = arguments[i] is not null || parameters[i].HasDefaultValue;
                    arguments[i] ??= parameters[i].HasDefaultValue ? parameters[i].DefaultValue : null;
                }

                if (satisfied)
                {
                    return constructor.Invoke(arguments);
                }
            }

            throw new InvalidOperationException($"no constructor of {type} can be satisfied from the registered services");
        }
        finally
        {
            _building.Remove(type);
        }
    }

    // The constructors with the most parameters first, ties in declaration order: a stable insertion sort in place of
    // LINQ's OrderByDescending, whose int-keyed sorter is compiled at run time on every start (docs/performance.md).
    private static ConstructorInfo[] MostParametersFirst(ConstructorInfo[] constructors)
    {
        for (var i = 1; i < constructors.Length; i++)
        {
            var current = constructors[i];
            var count = current.GetParameters().Length;
            var j = i - 1;
            while (j >= 0 && constructors[j].GetParameters().Length < count)
            {
                constructors[j + 1] = constructors[j];
                j--;
            }

            constructors[j + 1] = current;
        }

        return constructors;
    }
}
