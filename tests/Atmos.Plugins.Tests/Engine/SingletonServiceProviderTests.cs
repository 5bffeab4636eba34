using Atmos.Plugins.Engine.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace Atmos.Plugins.Tests.Engine;

public sealed class SingletonServiceProviderTests
{
    private interface IPart;

    [Fact]
    public void Builds_singletons_by_constructor_injection_and_reuses_them()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Wheel>();
        services.AddSingleton<Car>();
        var provider = new SingletonServiceProvider(services);

        var car = provider.GetRequiredService<Car>();

        Assert.Same(car, provider.GetRequiredService<Car>());
        Assert.Same(car.Wheel, provider.GetRequiredService<Wheel>());
        Assert.Same(provider, provider.GetRequiredService<IServiceProvider>());
        Assert.Null(provider.GetService(typeof(string)));
    }

    [Fact]
    public void The_last_registration_wins_and_enumerables_are_arrays_of_all_in_order()
    {
        var first = new PartA();
        var services = new ServiceCollection();
        services.AddSingleton<IPart>(first);
        services.AddSingleton<IPart, PartB>();
        services.AddSingleton<IPart>(_ => new PartC());
        var provider = new SingletonServiceProvider(services);

        Assert.IsType<PartC>(provider.GetRequiredService<IPart>());
        var all = provider.GetServices<IPart>();
        Assert.IsType<IPart[]>(all);
        Assert.Collection(all, p => Assert.Same(first, p), p => Assert.IsType<PartB>(p), p => Assert.IsType<PartC>(p));
        Assert.Empty(provider.GetServices<Car>());
    }

    [Fact]
    public void Anything_but_closed_unkeyed_singletons_is_refused_up_front()
    {
        Assert.Throws<NotSupportedException>(() => new SingletonServiceProvider(new ServiceCollection().AddTransient<Wheel>()));
        Assert.Throws<NotSupportedException>(() => new SingletonServiceProvider(new ServiceCollection().AddScoped<Wheel>()));
        Assert.Throws<NotSupportedException>(() => new SingletonServiceProvider(new ServiceCollection().AddKeyedSingleton<Wheel>("k")));
        Assert.Throws<NotSupportedException>(() => new SingletonServiceProvider(new ServiceCollection().AddSingleton(typeof(List<>))));
    }

    [Fact]
    public void A_missing_dependency_or_a_cycle_is_a_clear_error()
    {
        var missing = new SingletonServiceProvider(new ServiceCollection().AddSingleton<Car>());
        Assert.Contains("no constructor of", Assert.Throws<InvalidOperationException>(() => missing.GetService(typeof(Car))).Message, StringComparison.Ordinal);

        var cycle = new SingletonServiceProvider(new ServiceCollection().AddSingleton<Chicken>().AddSingleton<Egg>());
        Assert.Contains("depends on itself", Assert.Throws<InvalidOperationException>(() => cycle.GetService(typeof(Chicken))).Message, StringComparison.Ordinal);
    }

    private sealed class Wheel;

    private sealed class Car(Wheel wheel)
    {
        public Wheel Wheel { get; } = wheel;
    }

    private sealed class PartA : IPart;

    private sealed class PartB : IPart;

    private sealed class PartC : IPart;

    private sealed class Chicken(Egg egg)
    {
        public Egg Egg { get; } = egg;
    }

    private sealed class Egg(Chicken chicken)
    {
        public Chicken Chicken { get; } = chicken;
    }
}
