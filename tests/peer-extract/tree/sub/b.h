static inline const char *fn3(void)
{
	return "b";
}
