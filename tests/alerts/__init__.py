"""Tests of rasid.alerts: messages, channels on loopback servers, the dispatcher, stories, commands."""
