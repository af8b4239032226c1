"""The My Lights smart home skill: lights on the user's My Lights hub, through its device cloud."""
