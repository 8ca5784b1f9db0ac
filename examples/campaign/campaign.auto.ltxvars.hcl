product = "Aurora wireless headphones"
