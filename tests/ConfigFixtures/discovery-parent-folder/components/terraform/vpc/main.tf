# a component folder, no atmos config here
