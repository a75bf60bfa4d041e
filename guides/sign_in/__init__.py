"""Staff sign-in: which passwords are refused, and when guessing at one username is paused everywhere."""
