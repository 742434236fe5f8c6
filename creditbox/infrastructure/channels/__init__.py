"""The channels' adapters (``Channel`` port): the file channel for now; SMS, e-mail, PEC and letters
providers in the channels issue."""
